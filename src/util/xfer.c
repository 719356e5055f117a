/* src/util/xfer.c: a libcurl transfer that wakes up while it waits.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "util/xfer.h"

CURLcode xfer_perform(CURL *c, const struct xfer_wait *w)
{
	CURLM *m = curl_multi_init();
	CURLcode result = CURLE_OK;
	CURLMsg *msg;
	int running = 1, queued;

	if(!m || curl_multi_add_handle(m, c) != CURLM_OK) {
		if(m)
			curl_multi_cleanup(m);
		return CURLE_OUT_OF_MEMORY;
	}
	while(running) {
		if(curl_multi_perform(m, &running) != CURLM_OK ||
		   (running && curl_multi_poll(m, NULL, 0, XFER_TICK_MS, NULL) != CURLM_OK)) {
			result = CURLE_RECV_ERROR;
			break;
		}
		if(w->tick)
			w->tick(w->tick_ctx);
		if(w->interrupt && *w->interrupt) {
			result = CURLE_ABORTED_BY_CALLBACK;
			break;
		}
	}
	while((msg = curl_multi_info_read(m, &queued)))
		if(msg->msg == CURLMSG_DONE && msg->easy_handle == c && result == CURLE_OK)
			result = msg->data.result;
	curl_multi_remove_handle(m, c);
	curl_multi_cleanup(m);
	return result;
}
