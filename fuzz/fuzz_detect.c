/* fuzz/fuzz_detect.c — libFuzzer harness for format detection and the
 * zstd input layer: no format is forced, so zstd frames, the native magic
 * and every content sniffer are reached (make fuzz). */
#include "fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_read(data, size, "fuzz-input", NULL);
	return 0;
}
