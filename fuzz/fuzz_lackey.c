/* fuzz/fuzz_lackey.c — libFuzzer harness for the lackey reader (make fuzz). */
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_opts o = { .format = "lackey" };

	/* the first byte picks the page size and whether I lines count */
	if (size) {
		o.page_size = 1u << (6 + data[0] % 16);
		o.lackey_instr = data[0] >> 7;
		data++;
		size--;
	}
	fuzz_read(data, size, "fuzz.lackey", &o);
	return 0;
}
