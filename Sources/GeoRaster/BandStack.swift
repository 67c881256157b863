import CGDAL
import Foundation

/// A scene stored one file per band, such as a Sentinel-2 product unpacked
/// into `T32UPU_20230322T101649_B01_20m.tiff`, `..._B02_10m.tiff`, and so on.
///
/// The band of each file comes from a `B01`…`B12` or `B8A` token in its
/// name. `open()` stacks the files, in Sentinel-2 band order, into one
/// in-memory VRT (`GDALBuildVRT -separate`).
public struct BandStack: Sendable, Equatable {
    /// A file holding one band.
    public struct BandFile: Sendable, Equatable {
        /// The canonical band name, such as `B1` or `B8A`.
        public let band: String
        public let path: String
    }

    /// The scene name: the file names' common prefix, such as `T32UPU_20230322T101649`.
    public let name: String
    /// The files, in Sentinel-2 band order.
    public let files: [BandFile]

    /// Returns the band a file name declares, such as `B8A` for
    /// `T32UPU_20230322T101649_B8A_20m.tiff`, or nil when it names none.
    public static func bandName(ofFile fileName: String) -> String? {
        let stem = (fileName as NSString).deletingPathExtension
        let tokens = stem.split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == "." })
        for token in tokens.reversed() {
            let text = String(token)
            if text.first == "B" || text.first == "b", text.count <= 4, let name = Sentinel2Bands.canonicalName(text) {
                return name
            }
        }
        return nil
    }

    /// Collects the band files of a list.
    /// - Throws: `GeoRasterError` when a file names no band, two files name
    ///   the same band, or fewer than two files are given.
    public init(files paths: [String]) throws {
        guard paths.count >= 2 else {
            throw GeoRasterError(.mismatchedBandFiles, path: paths.first ?? "",
                                 message: "a scene stored one file per band needs at least 2 band files, got \(paths.count)",
                                 fix: "pass the folder holding all band files, or every file")
        }
        var files: [BandFile] = []
        for path in paths {
            let fileName = (path as NSString).lastPathComponent
            guard let band = BandStack.bandName(ofFile: fileName) else {
                throw GeoRasterError(.mismatchedBandFiles, path: path,
                                     message: "file name '\(fileName)' names no Sentinel-2 band",
                                     fix: "name band files with a token such as _B01_ or _B8A_")
            }
            if let other = files.first(where: { $0.band == band }) {
                throw GeoRasterError(.mismatchedBandFiles, path: path,
                                     message: "files '\(other.path)' and '\(path)' both contain band '\(band)'",
                                     fix: "keep one file per band")
            }
            files.append(BandFile(band: band, path: path))
        }
        let order = Sentinel2Bands.level1C
        self.files = files.sorted { order.firstIndex(of: $0.band)! < order.firstIndex(of: $1.band)! }
        let names = paths.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
        name = BandStack.commonPrefix(names)
    }

    /// Collects the band files of a folder: every `.tif`, `.tiff`, `.jp2` or
    /// `.vrt` file whose name contains a band token.
    /// - Returns: nil when the folder contains fewer than two band files, so it
    ///   is not a scene stored one file per band.
    public init?(folder: String) throws {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let rasters = entries.filter {
            ["tif", "tiff", "jp2", "vrt"].contains(($0 as NSString).pathExtension.lowercased())
        }
        let banded = rasters.filter { BandStack.bandName(ofFile: $0) != nil }.sorted()
        guard banded.count >= 2, banded.count == rasters.count else { return nil }
        try self.init(files: banded.map { (folder as NSString).appendingPathComponent($0) })
    }

    /// The band names in stack order.
    public var bandNames: [String] { files.map(\.band) }

    /// Opens the stack as one dataset whose bands are named after the files.
    /// - Throws: `GeoRasterError` when a file cannot be opened or the files
    ///   differ in size, geotransform or CRS.
    public func open() throws -> Dataset {
        // Check that every file lies on the first file's pixel grid, because
        // `GDALBuildVRT` would otherwise resample them silently.
        let first = try Dataset(path: files[0].path, bandNames: [files[0].band])
        for file in files.dropFirst() {
            let other = try Dataset(path: file.path, bandNames: [file.band])
            let sameGrid = other.width == first.width && other.height == first.height
                && (other.geoTransform == nil) == (first.geoTransform == nil)
                && (first.geoTransform.map { other.geoTransform!.isAligned(with: $0, width: first.width, height: first.height) } ?? true)
            guard sameGrid else {
                throw GeoRasterError(.mismatchedBandFiles, path: file.path,
                                     message: "band file '\(file.path)' (\(other.width) x \(other.height)) is not on the grid of '\(first.path)' (\(first.width) x \(first.height))",
                                     fix: "resample every band to one grid first, e.g. gdalwarp -tr 60 60")
            }
            if let a = first.spatialReference, let b = other.spatialReference, !a.isSame(as: b) {
                throw GeoRasterError(.mismatchedBandFiles, path: file.path,
                                     message: "band file '\(file.path)' has CRS '\(b)' but '\(first.path)' has '\(a)'",
                                     fix: "reproject every band to one CRS first (gdalwarp -t_srs)")
            }
        }

        // Build the VRT in memory: an empty destination name keeps it off disk.
        let arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CSLAddString(nil, "-separate")
        defer { CSLDestroy(arguments) }
        let options = GDALBuildVRTOptionsNew(arguments, nil)
        defer { GDALBuildVRTOptionsFree(options) }
        var sources: [UnsafePointer<CChar>?] = files.map { UnsafePointer(strdup($0.path)) }
        defer { sources.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        GDALLibrary.resetError()
        var usageError: Int32 = 0
        let handle = sources.withUnsafeMutableBufferPointer { buffer in
            GDALBuildVRT("", Int32(files.count), nil, buffer.baseAddress, options, &usageError)
        }
        guard let handle else {
            throw GDALLibrary.error(.readFailed, path: files[0].path,
                                    message: "cannot stack the band files of scene '\(name)'",
                                    fix: "check that every band file opens with gdalinfo")
        }
        return try Dataset(handle: handle, path: name, bandNames: bandNames, nameSource: .fileNames)
    }

    private static func commonPrefix(_ names: [String]) -> String {
        guard var prefix = names.first else { return "" }
        for name in names.dropFirst() {
            while !name.hasPrefix(prefix) { prefix.removeLast() }
        }
        while let last = prefix.last, "_-.B".contains(last) { prefix.removeLast() }
        return prefix.isEmpty ? "stack" : prefix
    }
}
