import CGDAL
import Foundation

/// The compression of a written GeoTIFF (the GTiff `COMPRESS` option).
public enum Compression: String, Sendable, CaseIterable {
    case deflate = "DEFLATE"
    case zstd = "ZSTD"
    case lzw = "LZW"
    case none = "NONE"
}

/// The file layout of a written raster.
public enum RasterFormat: Sendable {
    /// A tiled GeoTIFF (256 x 256 blocks).
    case geoTIFF
    /// A cloud-optimised GeoTIFF (GDAL's COG driver): tiled, with overviews
    /// and the header first, so it can be read by ranges over HTTP.
    case cloudOptimizedGeoTIFF
}

/// The map placement of a written raster: a geotransform and a CRS, each
/// optional (a PNG has neither).
public struct Georeference: Sendable {
    public var geoTransform: GeoTransform?
    public var spatialReference: SpatialReference?

    public init(geoTransform: GeoTransform?, spatialReference: SpatialReference?) {
        self.geoTransform = geoTransform
        self.spatialReference = spatialReference
    }

    /// Creates the georeference of a whole dataset.
    public init(of dataset: Dataset) {
        self.init(geoTransform: dataset.geoTransform, spatialReference: dataset.spatialReference)
    }

    /// Creates the georeference of a window of a dataset: its transform
    /// shifted to the window's top-left pixel.
    public init(of dataset: Dataset, window: Window) {
        self.init(geoTransform: dataset.geoTransform?.shifted(by: window), spatialReference: dataset.spatialReference)
    }
}

/// Writers of GeoTIFF, COG and PNG files.
///
/// Every writer writes to a hidden temporary name in the destination folder,
/// then renames it, so an interrupted write never leaves a partial file
/// under the final name.
public enum RasterWriter {
    /// Writes band-sequential samples as a GeoTIFF or COG.
    ///
    /// - Parameters:
    ///   - samples: shape `(bandNames.count, height, width)`.
    ///   - validity: one flag per pixel, or nil when all are valid. When
    ///     some pixel is invalid, the file gets an internal mask band (0
    ///     invalid, 255 valid), which GDAL and rasterio read as the dataset
    ///     mask. When every pixel is valid it gets none, which saves
    ///     compressing and storing a constant band. Readers then derive the
    ///     mask from `nodata`, so no valid pixel may contain it in any band,
    ///     as is true of every pixel that `Dataset.read` returns as valid.
    ///   - nodata: the nodata value to declare on every band, or nil.
    ///   - bandNames: written as band descriptions.
    ///   - metadata: dataset metadata items, such as `PROCESSING_BASELINE`.
    ///   - overviewResampling: the COG driver's `RESAMPLING` for overviews,
    ///     such as `NEAREST` for class masks so that overviews hold only real
    ///     class values; nil keeps GDAL's default (cubic for most data).
    /// - Throws: `GeoRasterError` with code `.writeFailed` (a full disk, a
    ///   folder that cannot be written).
    @_specialize(exported: true, where Sample == UInt8)
    @_specialize(exported: true, where Sample == UInt16)
    @_specialize(exported: true, where Sample == Int16)
    @_specialize(exported: true, where Sample == UInt32)
    @_specialize(exported: true, where Sample == Int32)
    @_specialize(exported: true, where Sample == Float)
    @_specialize(exported: true, where Sample == Double)
    public static func write<Sample: RasterSample>(
        samples: [Sample], width: Int, height: Int, bandNames: [String],
        georeference: Georeference, nodata: Double? = nil, validity: [Bool]? = nil,
        metadata: [String: String] = [:],
        to path: String, format: RasterFormat = .geoTIFF, compression: Compression = .deflate,
        overviewResampling: String? = nil
    ) throws {
        precondition(samples.count == bandNames.count * width * height,
                     "samples \(samples.count) do not match \(bandNames.count) bands x \(width) x \(height)")
        precondition(validity == nil || validity!.count == width * height,
                     "validity \(validity!.count) does not match \(width) x \(height)")
        GDALLibrary.registerDrivers()
        let temporary = temporaryPath(for: path)
        do {
            switch format {
            case .geoTIFF:
                let options = ["TILED=YES", "COMPRESS=\(compression.rawValue)", "BIGTIFF=IF_SAFER"]
                let handle = try create(driver: "GTiff", path: temporary, finalPath: path, width: width, height: height,
                                        bandCount: bandNames.count, type: Sample.rasterDataType, options: options)
                try fill(handle, samples: samples, width: width, height: height, bandNames: bandNames,
                         georeference: georeference, nodata: nodata, validity: validity, metadata: metadata, path: path)
                try close(handle, path: path)
            case .cloudOptimizedGeoTIFF:
                let memory = try create(driver: "MEM", path: "", finalPath: path, width: width, height: height,
                                        bandCount: bandNames.count, type: Sample.rasterDataType, options: [])
                defer { GDALClose(memory) }
                try fill(memory, samples: samples, width: width, height: height, bandNames: bandNames,
                         georeference: georeference, nodata: nodata, validity: validity, metadata: metadata, path: path)
                try copy(memory, driver: "COG", to: temporary, finalPath: path,
                         options: ["COMPRESS=\(compression.rawValue)", "BIGTIFF=IF_SAFER"]
                             + (overviewResampling.map { ["RESAMPLING=\($0)"] } ?? []))
            }
            try moveIntoPlace(temporary, path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Writes a single-band UInt8 raster, such as a class or water mask, as
    /// a COG georeferenced like `dataset`. Overviews are resampled by
    /// nearest neighbour, so they hold only values of `values`.
    ///
    /// - Parameters:
    ///   - values: shape `(dataset.height, dataset.width)`.
    ///   - nodata: the value that marks invalid pixels, such as 0 for
    ///     `SurfaceClass.invalid`; nil declares none.
    public static func writeMask(_ values: [UInt8], like dataset: Dataset, nodata: UInt8?,
                                 bandName: String = "class", to path: String) throws {
        try write(samples: values, width: dataset.width, height: dataset.height, bandNames: [bandName],
                  georeference: Georeference(of: dataset), nodata: nodata.map(Double.init),
                  to: path, format: .cloudOptimizedGeoTIFF, overviewResampling: "NEAREST")
    }

    /// Writes an 8-bit RGB PNG.
    /// - Parameter rgb: pixel-interleaved bytes, shape `(height, width, 3)`.
    public static func writePNG(rgb: [UInt8], width: Int, height: Int, to path: String) throws {
        precondition(rgb.count == width * height * 3, "rgb \(rgb.count) does not match \(width) x \(height) x 3")
        GDALLibrary.registerDrivers()
        let temporary = temporaryPath(for: path)
        do {
            let memory = try create(driver: "MEM", path: "", finalPath: path, width: width, height: height,
                                    bandCount: 3, type: .byte, options: [])
            defer { GDALClose(memory) }
            var bandMap: [Int32] = [1, 2, 3]
            GDALLibrary.resetError()
            let status = rgb.withUnsafeBufferPointer { buffer in
                GDALDatasetRasterIOEx(memory, GF_Write, 0, 0, Int32(width), Int32(height),
                                      UnsafeMutableRawPointer(mutating: buffer.baseAddress!), Int32(width), Int32(height),
                                      GDT_Byte, 3, &bandMap, 3, GSpacing(width * 3), 1, nil)
            }
            guard status == CE_None else {
                throw GDALLibrary.error(.writeFailed, path: path, message: "cannot write PNG '\(path)'",
                                        fix: "check free space and permissions of its folder")
            }
            try copy(memory, driver: "PNG", to: temporary, finalPath: path, options: [])
            try moveIntoPlace(temporary, path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    // MARK: - Steps

    /// Returns the temporary name a file is written under. It is hidden and
    /// in the same folder, so the final rename stays on one filesystem and is atomic.
    static func temporaryPath(for path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let unique = UUID().uuidString.prefix(8)
        return (folder as NSString).appendingPathComponent(".\(name).partial-\(unique)")
    }

    static func create(driver name: String, path: String, finalPath: String, width: Int, height: Int,
                               bandCount: Int, type: RasterDataType, options: [String]) throws -> GDALDatasetH {
        guard let driver = GDALGetDriverByName(name) else {
            throw GeoRasterError(.writeFailed, path: finalPath, message: "GDAL driver '\(name)' is not available",
                                 fix: "install a GDAL build with the \(name) driver (gdalinfo --formats)")
        }
        var list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        for option in options { list = CSLAddString(list, option) }
        defer { CSLDestroy(list) }
        GDALLibrary.resetError()
        guard let handle = GDALCreate(driver, path, Int32(width), Int32(height), Int32(bandCount), type.gdalType, list) else {
            throw GDALLibrary.error(.writeFailed, path: finalPath, message: "cannot create '\(finalPath)'",
                                    fix: "check that its folder exists and is writable")
        }
        return handle
    }

    private static func fill<Sample: RasterSample>(
        _ handle: GDALDatasetH, samples: [Sample], width: Int, height: Int, bandNames: [String],
        georeference: Georeference, nodata: Double?, validity: [Bool]?, metadata: [String: String], path: String
    ) throws {
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            GDALSetMetadataItem(handle, key, value, nil)
        }
        if var coefficients = georeference.geoTransform?.coefficients {
            GDALSetGeoTransform(handle, &coefficients)
        }
        if let wkt = georeference.spatialReference?.wkt {
            GDALSetProjection(handle, wkt)
        }
        for (index, name) in bandNames.enumerated() {
            let band = GDALGetRasterBand(handle, Int32(index + 1))
            GDALSetDescription(band, name)
            if let nodata { GDALSetRasterNoDataValue(band, nodata) }
        }

        GDALLibrary.resetError()
        var bandMap = (1...bandNames.count).map { Int32($0) }
        let size = MemoryLayout<Sample>.stride
        var status = samples.withUnsafeBufferPointer { buffer in
            GDALDatasetRasterIOEx(handle, GF_Write, 0, 0, Int32(width), Int32(height),
                                  UnsafeMutableRawPointer(mutating: buffer.baseAddress!), Int32(width), Int32(height),
                                  Sample.rasterDataType.gdalType, Int32(bandNames.count), &bandMap,
                                  GSpacing(size), GSpacing(width * size), GSpacing(width * height * size), nil)
        }
        if status == CE_None, let validity, validity.contains(false) {
            status = GDALCreateDatasetMaskBand(handle, GMF_PER_DATASET)
            if status == CE_None {
                var mask = [UInt8](repeating: 0, count: validity.count)
                validity.withUnsafeBufferPointer { validity in
                    mask.withUnsafeMutableBufferPointer { mask in
                        for pixel in 0..<validity.count { mask[pixel] = validity[pixel] ? 255 : 0 }
                    }
                }
                let maskBand = GDALGetMaskBand(GDALGetRasterBand(handle, 1))
                status = GDALRasterIO(maskBand, GF_Write, 0, 0, Int32(width), Int32(height), &mask,
                                      Int32(width), Int32(height), GDT_Byte, 0, 0)
            }
        }
        guard status == CE_None else {
            throw GDALLibrary.error(.writeFailed, path: path, message: "cannot write '\(path)'",
                                    fix: "check free space and permissions of its folder")
        }
    }

    static func copy(_ source: GDALDatasetH, driver name: String, to temporary: String, finalPath: String,
                             options: [String]) throws {
        guard let driver = GDALGetDriverByName(name) else {
            throw GeoRasterError(.writeFailed, path: finalPath, message: "GDAL driver '\(name)' is not available",
                                 fix: "install a GDAL build with the \(name) driver (gdalinfo --formats)")
        }
        var list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        for option in options { list = CSLAddString(list, option) }
        defer { CSLDestroy(list) }
        GDALLibrary.resetError()
        guard let copy = GDALCreateCopy(driver, temporary, source, 0, list, nil, nil) else {
            throw GDALLibrary.error(.writeFailed, path: finalPath, message: "cannot write '\(finalPath)'",
                                    fix: "check free space and permissions of its folder")
        }
        try close(copy, path: finalPath)
    }

    /// Closes a written dataset, flushing it, and reports a failed flush
    /// (GDAL 3.6's `GDALClose` returns nothing, so the thread's last error
    /// is checked instead).
    static func close(_ handle: GDALDatasetH, path: String) throws {
        GDALLibrary.resetError()
        GDALFlushCache(handle)
        GDALClose(handle)
        if let error = GDALLibrary.lastError(), CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal {
            throw GeoRasterError(.writeFailed, path: path, message: "cannot finish writing '\(path)'",
                                 fix: "check free space and permissions of its folder",
                                 gdalErrorNumber: error.number, gdalMessage: error.message)
        }
    }

    static func moveIntoPlace(_ temporary: String, _ path: String) throws {
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            throw GeoRasterError(.writeFailed, path: path, message: "cannot rename '\(temporary)' to '\(path)': \(reason)",
                                 fix: "check permissions of the folder")
        }
    }
}
