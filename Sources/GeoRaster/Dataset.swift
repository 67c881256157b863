import CGDAL
import Foundation

/// A band of an open dataset: its name and how its samples are stored.
public struct BandDescription: Sendable, Equatable {
    /// The band name, such as `B8A`.
    public let name: String
    /// The file's own description of the band (`GDALGetDescription`), often empty.
    public let fileDescription: String
    public let dataType: RasterDataType
    /// The value that marks missing samples (`GDALGetRasterNoDataValue`), or nil.
    public let nodata: Double?
}

/// An open raster scene: a GDAL dataset handle that closes when the value is
/// released (`GDALOpenEx`, `GDALClose`).
///
/// A handle is not thread-safe: GDAL allows one thread at a time per dataset,
/// so each worker thread opens its own `Dataset`.
public final class Dataset {
    /// The path the dataset was opened from (or a description of a stack).
    public let path: String
    let handle: GDALDatasetH
    public let width: Int
    public let height: Int
    public let bands: [BandDescription]
    /// The origin of the band names.
    public let bandNameSource: BandNameSource
    /// The pixel-to-map transform, or nil when the file has no georeferencing
    /// (a PNG, for instance).
    public let geoTransform: GeoTransform?
    public let spatialReference: SpatialReference?
    /// GDAL's storage block of the first band, `(width, height)` in pixels.
    public let blockSize: (width: Int, height: Int)
    /// The GDAL driver's short name, such as `GTiff` or `VRT`.
    public let driverName: String
    /// Whether the dataset carries one validity mask for all bands (a GeoTIFF
    /// internal mask or an alpha band), which reads then honour.
    public let hasDatasetMask: Bool

    /// Opens a scene read-only.
    ///
    /// - Parameters:
    ///   - path: any file GDAL reads: GeoTIFF, COG, VRT, PNG.
    ///   - bandNames: the names of the bands in file order, which override
    ///     the file's descriptions; nil to take them from the descriptions or
    ///     the band count preset.
    ///   - allowUnnamedBands: name bands `band1`, `band2`… when nothing else
    ///     names them, as for label rasters, instead of throwing.
    /// - Throws: `GeoRasterError` when the file is missing, is not a raster,
    ///   or its bands have no names and none are declared.
    public convenience init(path: String, bandNames: [String]? = nil, allowUnnamedBands: Bool = false) throws {
        GDALLibrary.registerDrivers()
        var isDirectory: ObjCBool = false
        guard path.hasPrefix("/vsi") || FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw GeoRasterError(.notFound, path: path, message: "scene '\(path)' not found", fix: "check the path")
        }
        guard !isDirectory.boolValue else {
            throw GeoRasterError(.notRaster, path: path, message: "scene '\(path)' is a folder",
                                 fix: "pass a raster file, or a folder of one file per band to a command that stacks them")
        }
        GDALLibrary.resetError()
        let flags = UInt32(GDAL_OF_RASTER) | UInt32(GDAL_OF_READONLY)
        guard let handle = GDALOpenEx(path, flags, nil, nil, nil) else {
            throw GDALLibrary.error(.notRaster, path: path,
                                    message: "file '\(path)' is not a raster GDAL can read",
                                    fix: "pass a GeoTIFF, COG, VRT or PNG, and check that the file is complete")
        }
        try self.init(handle: handle, path: path, bandNames: bandNames,
                      nameSource: nil, allowUnnamedBands: allowUnnamedBands)
    }

    /// Wraps an open handle, which the new value owns and closes.
    init(handle: GDALDatasetH, path: String, bandNames: [String]?, nameSource: BandNameSource?,
         allowUnnamedBands: Bool = false) throws {
        self.handle = handle
        self.path = path
        width = Int(GDALGetRasterXSize(handle))
        height = Int(GDALGetRasterYSize(handle))
        let count = Int(GDALGetRasterCount(handle))
        driverName = GDALGetDatasetDriver(handle).flatMap { GDALGetDriverShortName($0) }.map { String(cString: $0) } ?? ""

        guard count > 0 else {
            GDALClose(handle)
            throw GeoRasterError(.notRaster, path: path, message: "file '\(path)' has no raster bands",
                                 fix: "pass an image file, not a vector or metadata file")
        }

        // Read each band's type, nodata value and description.
        var types: [RasterDataType] = []
        var nodata: [Double?] = []
        var descriptions: [String] = []
        var colors: [GDALColorInterp] = []
        for index in 1...count {
            let band = GDALGetRasterBand(handle, Int32(index))
            let gdalType = GDALGetRasterDataType(band)
            guard let type = RasterDataType(gdalType: gdalType) else {
                let name = String(cString: GDALGetDataTypeName(gdalType))
                GDALClose(handle)
                throw GeoRasterError(.unsupportedDataType, path: path,
                                     message: "band \(index) of '\(path)' has data type '\(name)'",
                                     fix: "convert it to Byte, UInt16, Int16, UInt32, Int32, Float32 or Float64 (gdal_translate -ot)")
            }
            types.append(type)
            var hasNodata: Int32 = 0
            let value = GDALGetRasterNoDataValue(band, &hasNodata)
            nodata.append(hasNodata != 0 ? value : nil)
            descriptions.append(String(cString: GDALGetDescription(band)))
            colors.append(GDALGetRasterColorInterpretation(band))
        }

        do {
            let resolved: (names: [String], source: BandNameSource)
            if let nameSource, let bandNames {
                resolved = (bandNames, nameSource)
            } else if allowUnnamedBands, bandNames == nil,
                      (try? resolveBandNames(path: path, bandCount: count, descriptions: descriptions, declared: nil)) == nil {
                resolved = ((1...count).map { "band\($0)" }, .bandIndex)
            } else {
                resolved = try resolveBandNames(path: path, bandCount: count, descriptions: descriptions, declared: bandNames,
                                                isRedGreenBlue: colors == [GCI_RedBand, GCI_GreenBand, GCI_BlueBand])
            }
            bandNameSource = resolved.source
            bands = (0..<count).map {
                BandDescription(name: resolved.names[$0], fileDescription: descriptions[$0],
                                dataType: types[$0], nodata: nodata[$0])
            }
        } catch {
            GDALClose(handle)
            throw error
        }

        var coefficients = [Double](repeating: 0, count: 6)
        let hasTransform = GDALGetGeoTransform(handle, &coefficients) == CE_None
        let transform = GeoTransform(coefficients: coefficients)
        geoTransform = hasTransform && transform != .identity ? transform : nil
        spatialReference = GDALGetSpatialRef(handle).map { SpatialReference(handle: $0) }

        let first = GDALGetRasterBand(handle, 1)
        var blockWidth: Int32 = 0
        var blockHeight: Int32 = 0
        GDALGetBlockSize(first, &blockWidth, &blockHeight)
        blockSize = (Int(blockWidth), Int(blockHeight))
        hasDatasetMask = (GDALGetMaskFlags(first) & GMF_PER_DATASET) != 0
            && (GDALGetMaskFlags(first) & GMF_ALL_VALID) == 0
    }

    deinit {
        GDALClose(handle)
    }

    /// The band names in file order.
    public var bandNames: [String] { bands.map(\.name) }

    /// The window covering the whole scene.
    public var fullWindow: Window { .full(width: width, height: height) }

    /// Returns the 1-based GDAL band indices of named bands.
    /// - Throws: `GeoRasterError` with code `.unknownBand` for a name the
    ///   scene does not have.
    public func bandIndices(_ names: [String]) throws -> [Int32] {
        try names.map { requested in
            let name = Sentinel2Bands.canonicalName(requested) ?? requested
            guard let index = bands.firstIndex(where: { $0.name == name }) else {
                throw GeoRasterError(.unknownBand, path: path,
                                     message: "band '\(requested)' not found in scene '\(path)'",
                                     fix: "choose from its bands: \(bandNames.joined(separator: ", "))")
            }
            return Int32(index + 1)
        }
    }

    /// Returns a dataset metadata item (`GDALGetMetadataItem`), or nil.
    public func metadataItem(_ key: String, domain: String? = nil) -> String? {
        GDALGetMetadataItem(handle, key, domain).map { String(cString: $0) }
    }
}
