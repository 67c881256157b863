// The GDAL C API used by GeoRaster (GDAL 3.6, Debian libgdal-dev).
#ifndef SHORELINE_CGDAL_SHIM_H
#define SHORELINE_CGDAL_SHIM_H

#include <gdal.h>
#include <gdal_utils.h>
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <ogr_srs_api.h>

// glibc's mallopt, for the malloc arena limit and thresholds.
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#endif
