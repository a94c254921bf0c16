/* fuzz/fuzz_vscsi.c — libFuzzer harness for the vscsi reader (make fuzz). */
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_opts o = { .format = "vscsi" };

	fuzz_read(data, size, "fuzz.vscsi", &o);
	return 0;
}
