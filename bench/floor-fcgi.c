/* bench/floor-fcgi.c: the throughput floor for bench/models.sh.
 *
 * A minimal libfcgi responder that answers every request with the bytes
 * hermes-fcgi sends for GET /v1/models: status 200, the same header set
 * (Content-Type, Content-Length, X-Request-Id, Cache-Control and the seven
 * security headers) and a body of the same shape and length. It does no
 * routing, no auth and no JSON building, so behind the same web server it
 * measures what the stack (web server + FastCGI + libfcgi) can do at best.
 * Stand-alone on purpose: no config.h, no libhermes, only libfcgi.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L

#include <fcgiapp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Advertised model name: the same default as hermes-fcgi. */
#define FLOOR_MODEL "hermes-agent"

/* Body and whole-response buffers; the response is well under 1 KiB. */
#define FLOOR_BODY_MAX 512
#define FLOOR_RESP_MAX 2048

/* xorshift64* state for the request id. The id only has to look like
 * hermes-fcgi's (16 hex digits, different per request); it is no secret. */
static uint64_t floor_rng;

static void floor_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	floor_rng = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
		((uint64_t)getpid() << 16) ^ 0x9e3779b97f4a7c15u;
	if(!floor_rng)
		floor_rng = 1;
}

static uint64_t floor_next(void)
{
	floor_rng ^= floor_rng >> 12;
	floor_rng ^= floor_rng << 25;
	floor_rng ^= floor_rng >> 27;
	return floor_rng * 0x2545f4914f6cdd1du;
}

/* Format the body into dst (cap bytes); returns its length or -1. */
static int floor_body(char *dst, size_t cap)
{
	int n = snprintf(dst, cap,
		"{\"object\":\"list\",\"data\":[{\"id\":\"" FLOOR_MODEL "\","
		"\"object\":\"model\",\"created\":%lld,\"owned_by\":\"hermes\","
		"\"permission\":[],\"root\":\"" FLOOR_MODEL "\",\"parent\":null}]}",
		(long long)time(NULL));

	return (n < 0 || (size_t)n >= cap) ? -1 : n;
}

/* Format the whole response (head and body) into dst (cap bytes) in the
 * header order of src/http/resp.c; returns its length or -1. */
static int floor_response(char *dst, size_t cap)
{
	char body[FLOOR_BODY_MAX];
	int blen = floor_body(body, sizeof(body));
	int n;

	if(blen < 0)
		return -1;
	n = snprintf(dst, cap,
		"Status: 200 OK\r\n"
		"Content-Type: application/json\r\n"
		"X-Request-Id: %016llx\r\n"
		"Content-Length: %d\r\n"
		"Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
		"Permissions-Policy: camera=(), microphone=(), geolocation=()\r\n"
		"Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n"
		"X-Content-Type-Options: nosniff\r\n"
		"X-Frame-Options: DENY\r\n"
		"X-XSS-Protection: 0\r\n"
		"Referrer-Policy: no-referrer\r\n"
		"Cache-Control: no-store\r\n"
		"\r\n"
		"%s",
		(unsigned long long)floor_next(), blen, body);

	return (n < 0 || (size_t)n >= cap) ? -1 : n;
}

/* Answer one request with one write, as hermes-fcgi does; returns 0, or -1
 * if the client is gone. */
static int floor_answer(FCGX_Stream *out)
{
	char resp[FLOOR_RESP_MAX];
	int len = floor_response(resp, sizeof(resp));

	if(len < 0)
		return -1;
	return FCGX_PutStr(resp, len, out) == len ? 0 : -1;
}

int main(void)
{
	FCGX_Request req;

	signal(SIGPIPE, SIG_IGN);
	floor_seed();
	if(FCGX_Init() != 0) {
		fputs("floor-fcgi: FCGX_Init failed\n", stderr);
		return 1;
	}
	if(FCGX_IsCGI()) {
		fputs("floor-fcgi: fd 0 is no FastCGI socket; start me from a "
		      "web server (bin-path) or spawn-fcgi\n", stderr);
		return 1;
	}
	if(FCGX_InitRequest(&req, 0, 0) != 0) {
		fputs("floor-fcgi: FCGX_InitRequest failed\n", stderr);
		return 1;
	}
	while(FCGX_Accept_r(&req) >= 0) {
		(void)floor_answer(req.out);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	return 0;
}
