import CGDAL
import Foundation

/// The process-wide GDAL library: driver registration, error capture and
/// version.
public enum GDALLibrary {
    /// Registers every GDAL driver once and installs a quiet error handler,
    /// so GDAL never prints by itself; its errors reach callers as
    /// `GeoRasterError` values instead. Every `Dataset` initialiser calls it.
    public static func registerDrivers() {
        _ = registration
    }

    private static let registration: Void = {
        // `CPLQuietErrorHandler` keeps the last error per thread
        // (`CPLGetLastErrorMsg`) without writing to stderr.
        CPLSetErrorHandler(CPLQuietErrorHandler)
        // Masks written with GeoTIFFs go inside the file, not into a
        // `.msk` side file, unless the user asked otherwise.
        if CPLGetConfigOption("GDAL_TIFF_INTERNAL_MASK", nil) == nil {
            CPLSetConfigOption("GDAL_TIFF_INTERNAL_MASK", "YES")
        }
        GDALAllRegister()
    }()

    /// The release name, such as "3.6.2" (`GDALVersionInfo("RELEASE_NAME")`).
    public static var version: String {
        String(cString: GDALVersionInfo("RELEASE_NAME"))
    }

    /// Limits GDAL's block cache (`GDALSetCacheMax64`) unless the user set
    /// `GDAL_CACHEMAX`. GDAL's default of 5 % of physical memory can exceed
    /// a job's memory budget on large machines when many windows are read.
    /// NOTE: the limit is process-wide. Lowering it while another job in the
    /// same process writes may flush that job's blocks from this thread; this
    /// is the suspected cause of a rare GDAL I/O error seen once when the
    /// tests ran tiling jobs in parallel, and it is not confirmed.
    public static func limitBlockCache(megabytes: Int) {
        registerDrivers()
        guard CPLGetConfigOption("GDAL_CACHEMAX", nil) == nil else { return }
        GDALSetCacheMax64(Int64(megabytes) * 1024 * 1024)
    }

    /// Raises GDAL's block cache (`GDALSetCacheMax64`) to at least `bytes`,
    /// and at most a quarter of physical memory, unless the user set
    /// `GDAL_CACHEMAX`. A cache smaller than the blocks a job reads again
    /// makes GDAL decode those blocks again.
    public static func raiseBlockCache(toAtLeast bytes: Int) {
        registerDrivers()
        guard CPLGetConfigOption("GDAL_CACHEMAX", nil) == nil else { return }
        let ceiling = Int64(ProcessInfo.processInfo.physicalMemory / 4)
        let requested = min(Int64(bytes), ceiling)
        if requested > GDALGetCacheMax64() { GDALSetCacheMax64(requested) }
    }

    /// Clears this thread's last GDAL error (`CPLErrorReset`).
    static func resetError() {
        CPLErrorReset()
    }

    /// This thread's last GDAL error number and message, or nil when none
    /// was raised since the last reset.
    static func lastError() -> (number: Int32, message: String)? {
        let number = CPLGetLastErrorNo()
        guard number != CPLE_None else { return nil }
        return (number, String(cString: CPLGetLastErrorMsg()))
    }

    /// Returns a `GeoRasterError` carrying this thread's last GDAL error.
    static func error(_ code: GeoRasterError.Code, path: String, message: String, fix: String) -> GeoRasterError {
        let last = lastError()
        return GeoRasterError(code, path: path, message: message, fix: fix,
                              gdalErrorNumber: last?.number, gdalMessage: last?.message)
    }
}
