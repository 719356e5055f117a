/* src/ctl/discover.h: finding local OpenAI-compatible servers (Ollama,
 * llama.cpp's server, LM Studio, vLLM, LocalAI) for hermesctl init and
 * hermesctl doctor --discover.
 *
 * Only 127.0.0.1 is ever probed: GET http://127.0.0.1:PORT/v1/models with a
 * short timeout, no proxy, no redirects. HERMES_DISCOVER_PORTS
 * ("name:port,name:port" or "port,port") replaces the list of ports (tests
 * point it at scripted servers); it holds ports only, never hosts; "off"
 * turns discovery off.
 * SPDX-License-Identifier: MIT
 */
#ifndef HERMES_CTL_DISCOVER_H
#define HERMES_CTL_DISCOVER_H

#include <stdio.h>

/* Probe, and when HERMES_HOME's configuration names no upstream (no
 * models: list, no OPENAI_BASE_URL / model.base_url) append what answered
 * to its config.yaml as a models: list, the first as default. Says what
 * was probed, found and written on msg. Returns 0, or 1 when config.yaml
 * could not be written. */
int ctl_discover(FILE *msg);

#endif
