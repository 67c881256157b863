import CGDAL

/// The process-wide GDAL library: driver registration and version.
public enum GDALLibrary {
    /// Registers every GDAL driver once; `GDALAllRegister` is idempotent.
    public static func registerDrivers() {
        _ = registration
    }

    private static let registration: Void = {
        GDALAllRegister()
    }()

    /// The release name, such as "3.6.2" (`GDALVersionInfo("RELEASE_NAME")`).
    public static var version: String {
        String(cString: GDALVersionInfo("RELEASE_NAME"))
    }
}
