// The oneDNN 2.6 C API (v2: op descriptors, then primitive descriptors) used
// by TensorEngine, from Debian libdnnl-dev, which ships no pkg-config file.
#ifndef SHORELINE_CDNNL_SHIM_H
#define SHORELINE_CDNNL_SHIM_H

#include <dnnl.h>

// oneDNN's Debian build runs its threads on GNU OpenMP (libgomp). These two
// functions are declared here because the Swift toolchain's clang ships no omp.h.
extern void omp_set_num_threads(int count);
extern int omp_get_max_threads(void);

#endif
