/* tests/unit/test_tools_exec.c: placeholder, being written (issue 5). */
#include "config.h"

#include "tap.h"

int main(void)
{
	ok(0, "not written yet");
	return tap_done();
}
