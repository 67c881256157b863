import CGDAL
import Foundation

/// A writer of a one-band UInt8 raster, such as a cluster-id or water mask,
/// fed window by window so that memory never keeps the whole raster.
///
/// Windows go into a tiled, uncompressed GeoTIFF under a hidden temporary
/// name. `finish()` then writes the final file from it (for a COG, GDAL's
/// COG driver copies it with compression and overviews) and renames that
/// into place. The writer removes its temporary files when it is released
/// unfinished, so an interrupted write leaves nothing under the final name.
///
/// Calls must come from one thread at a time.
public final class MaskStripWriter {
    public let width: Int
    public let height: Int
    /// The final path.
    public let path: String
    private let format: RasterFormat
    private let compression: Compression
    private let overviewResampling: String?
    private let stagingPath: String
    private var handle: GDALDatasetH?

    /// Creates the staging file.
    ///
    /// - Parameters:
    ///   - nodata: the value that marks invalid pixels, or nil to declare none.
    ///   - bandName: written as the band description.
    ///   - overviewResampling: the COG driver's `RESAMPLING`, `NEAREST` by
    ///     default so that overviews hold only values of the mask.
    /// - Throws: `GeoRasterError` with code `.writeFailed` when the folder
    ///   does not exist or cannot be written.
    public init(width: Int, height: Int, georeference: Georeference, nodata: UInt8?, bandName: String,
                to path: String, format: RasterFormat = .cloudOptimizedGeoTIFF, compression: Compression = .deflate,
                overviewResampling: String? = "NEAREST") throws {
        precondition(width > 0 && height > 0, "a mask must have pixels, got \(width) x \(height)")
        self.width = width
        self.height = height
        self.path = path
        self.format = format
        self.compression = compression
        self.overviewResampling = overviewResampling
        GDALLibrary.registerDrivers()
        stagingPath = RasterWriter.temporaryPath(for: path)
        let options = ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=NONE", "BIGTIFF=IF_SAFER"]
        let handle = try RasterWriter.create(driver: "GTiff", path: stagingPath, finalPath: path, width: width,
                                             height: height, bandCount: 1, type: .byte, options: options)
        self.handle = handle
        if var coefficients = georeference.geoTransform?.coefficients {
            GDALSetGeoTransform(handle, &coefficients)
        }
        if let wkt = georeference.spatialReference?.wkt {
            GDALSetProjection(handle, wkt)
        }
        let band = GDALGetRasterBand(handle, 1)
        GDALSetDescription(band, bandName)
        if let nodata { GDALSetRasterNoDataValue(band, Double(nodata)) }
    }

    /// Creates a writer georeferenced like `dataset` and of its size.
    public convenience init(like dataset: Dataset, nodata: UInt8?, bandName: String, to path: String) throws {
        try self.init(width: dataset.width, height: dataset.height, georeference: Georeference(of: dataset),
                      nodata: nodata, bandName: bandName, to: path)
    }

    deinit {
        guard let handle else { return }
        GDALClose(handle)
        try? FileManager.default.removeItem(atPath: stagingPath)
    }

    /// Writes the values of one window (`GDALRasterIO`).
    /// - Parameter values: shape `(window.height, window.width)`.
    /// - Throws: `GeoRasterError` with code `.writeFailed` (a full disk).
    /// - Precondition: the window lies inside the raster and the writer is
    ///   not finished.
    public func write(_ values: [UInt8], window: Window) throws {
        guard let handle else { preconditionFailure("mask '\(path)' is already finished") }
        precondition(Window.full(width: width, height: height).contains(window),
                     "window \(window) is outside the \(width) x \(height) mask")
        precondition(values.count == window.pixelCount, "\(values.count) values do not fill window \(window)")
        GDALLibrary.resetError()
        let status = values.withUnsafeBufferPointer { buffer in
            GDALRasterIO(GDALGetRasterBand(handle, 1), GF_Write, Int32(window.columnOffset), Int32(window.rowOffset),
                         Int32(window.width), Int32(window.height), UnsafeMutableRawPointer(mutating: buffer.baseAddress!),
                         Int32(window.width), Int32(window.height), GDT_Byte, 0, 0)
        }
        guard status == CE_None else {
            throw GDALLibrary.error(.writeFailed, path: path, message: "cannot write '\(path)'",
                                    fix: "check free space and permissions of its folder")
        }
    }

    /// Writes the final file from the staging file, renames it into place
    /// and removes the staging file. Pixels never written hold the nodata
    /// value, or 0 without one, because GDAL's GTiff driver fills unwritten
    /// blocks with it.
    /// - Throws: `GeoRasterError` with code `.writeFailed`; the final path
    ///   is then left as it was.
    public func finish() throws {
        guard let handle else { preconditionFailure("mask '\(path)' is already finished") }
        self.handle = nil
        defer { try? FileManager.default.removeItem(atPath: stagingPath) }
        let (driver, options): (String, [String])
        switch format {
        case .geoTIFF:
            driver = "GTiff"
            options = ["TILED=YES", "COMPRESS=\(compression.rawValue)", "BIGTIFF=IF_SAFER"]
        case .cloudOptimizedGeoTIFF:
            driver = "COG"
            options = ["COMPRESS=\(compression.rawValue)", "BIGTIFF=IF_SAFER"]
                + (overviewResampling.map { ["RESAMPLING=\($0)"] } ?? [])
        }
        let temporary = RasterWriter.temporaryPath(for: path)
        do {
            try RasterWriter.copy(handle, driver: driver, to: temporary, finalPath: path, options: options)
            GDALClose(handle)
            try RasterWriter.moveIntoPlace(temporary, path)
        } catch {
            GDALClose(handle)
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
