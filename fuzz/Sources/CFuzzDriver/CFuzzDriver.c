// The driver itself is libFuzzer's, linked by -sanitize=fuzzer; this target
// only exports its declaration to Swift.
#include "CFuzzDriver.h"
