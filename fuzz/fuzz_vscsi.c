/* fuzz/fuzz_vscsi.c — libFuzzer harness for the vscsi reader (make fuzz). */
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* 1 GiB pages: requests are still split, but a damaged length of up
	 * to 4 GiB makes a few accesses, not a million (keeps runs fast) */
	struct trace_opts o = { .format = "vscsi", .page_size = 1u << 30 };

	fuzz_read(data, size, "fuzz.vscsi", &o);
	return 0;
}
