/// An error from reading or writing a raster: what failed, on which file,
/// GDAL's own error when GDAL raised one, and what to do next.
///
/// `description` is one line, such as
/// `scene 'x.tif' not found; check the path`.
public struct GeoRasterError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure, for callers that branch on it.
    public enum Code: String, Sendable {
        case notFound
        case notRaster
        case readFailed
        case writeFailed
        case unnamedBands
        case unknownBand
        case mismatchedBandFiles
        case unsupportedDataType
    }

    public let code: Code
    /// The file or folder involved.
    public let path: String
    /// The failure, naming the value in single quotes.
    public let message: String
    /// The fix the user can apply.
    public let fix: String
    /// GDAL's error number (`CPLGetLastErrorNo`), when GDAL raised one.
    public let gdalErrorNumber: Int32?
    /// GDAL's error message (`CPLGetLastErrorMsg`), when GDAL raised one.
    public let gdalMessage: String?

    public init(_ code: Code, path: String, message: String, fix: String,
                gdalErrorNumber: Int32? = nil, gdalMessage: String? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.fix = fix
        self.gdalErrorNumber = gdalErrorNumber
        self.gdalMessage = gdalMessage
    }

    public var description: String {
        var line = message
        if let gdalMessage, !gdalMessage.isEmpty {
            let number = gdalErrorNumber.map { " \($0)" } ?? ""
            line += " (GDAL error\(number): \(gdalMessage))"
        }
        return line + "; " + fix
    }
}
