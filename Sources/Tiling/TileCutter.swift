import Foundation
import GeoRaster

/// A scene opened once and checked against its label before tiling.
struct PreparedScene: Sendable {
    let pair: ScenePair
    let name: String
    let windows: [Window]
    let sceneWindow: Window
    let bandCount: Int
    /// The bytes of the storage blocks that one row of tiles reads, when
    /// other tiles read those blocks again (a stripped scene, overlapping
    /// tiles, block rows not aligned with tile rows), or 0.
    let sharedBlockRowBytes: Int

    /// The maximum number of tiles per scene, an estimate of a safe memory
    /// bound: 10 million windows take 320 MB, while a 2 GB Sentinel-2 scene
    /// gives about 300 tiles of 512 px.
    static let maximumTileCount = 10_000_000

    /// Opens the scene and its label and checks that they share a pixel grid.
    /// - Throws: `GeoRasterError` for unreadable scenes, `TilingError` for
    ///   labels of another size, geotransform, CRS or band count.
    init(pair: ScenePair, options: TilingOptions) throws {
        self.pair = pair
        name = pair.scene.name
        let scene = try pair.scene.open(bandNames: options.bandNames)
        sceneWindow = scene.fullWindow
        bandCount = scene.bands.count
        // Blocks wider than a tile (the strips of a stripped scene) serve every
        // tile of a row, and block rows that straddle two tile rows serve both.
        let stride = options.tileSize - options.overlap
        if scene.blockSize.width > options.tileSize || stride % max(scene.blockSize.height, 1) != 0 {
            let sampleBytes = scene.bands.reduce(0) { $0 + $1.dataType.byteCount }
            sharedBlockRowBytes = (options.tileSize + scene.blockSize.height) * scene.width * sampleBytes
        } else {
            sharedBlockRowBytes = 0
        }
        let grid = TileGrid(sceneWidth: scene.width, sceneHeight: scene.height,
                            tileSize: options.tileSize, overlap: options.overlap)
        // A corrupt header can declare billions of pixels in a tiny file; the
        // window list of such a grid would not fit in memory.
        let (tileCount, overflow) = grid.columnCount.multipliedReportingOverflow(by: grid.rowCount)
        guard !overflow, tileCount <= PreparedScene.maximumTileCount else {
            throw TilingError.tooManyTiles(scene: pair.scene.description, width: scene.width, height: scene.height,
                                           tileSize: options.tileSize, tileCount: overflow ? Int.max : tileCount,
                                           limit: PreparedScene.maximumTileCount)
        }
        windows = grid.windows
        guard let labelPath = pair.label else { return }

        guard let codes = options.labelCodes else { throw TilingError.missingLabelCodes(label: labelPath) }
        let label = try Dataset(path: labelPath, allowUnnamedBands: true)
        guard label.bands.count == codes.bandCount else {
            throw TilingError.labelBandCount(label: labelPath, bandCount: label.bands.count,
                                             codes: codes.name, expected: codes.bandCount)
        }
        guard label.width == scene.width, label.height == scene.height else {
            throw TilingError.labelSizeMismatch(label: labelPath, labelSize: "\(label.width) x \(label.height)",
                                                scene: pair.scene.description, sceneSize: "\(scene.width) x \(scene.height)")
        }
        switch (scene.geoTransform, label.geoTransform) {
        case (nil, nil):
            break
        case let (sceneTransform?, labelTransform?):
            if !sceneTransform.isAligned(with: labelTransform, width: scene.width, height: scene.height) {
                let size = sceneTransform.pixelSize
                let dx = (labelTransform.originX - sceneTransform.originX) / size.x
                let dy = (labelTransform.originY - sceneTransform.originY) / size.y
                throw TilingError.labelGeoTransformMismatch(
                    label: labelPath, scene: pair.scene.description,
                    offset: String(format: "%.2f pixels in x and %.2f pixels in y at the origin", dx, dy))
            }
        default:
            throw TilingError.labelGeoTransformMismatch(label: labelPath, scene: pair.scene.description,
                                                        offset: "an unknown amount (only one of them is georeferenced)")
        }
        if let sceneCRS = scene.spatialReference, let labelCRS = label.spatialReference, !sceneCRS.isSame(as: labelCRS) {
            throw TilingError.labelCRSMismatch(label: labelPath, labelCRS: labelCRS.description,
                                               scene: pair.scene.description, sceneCRS: sceneCRS.description)
        }
    }
}

/// The result of cutting one tile.
enum TileOutcome {
    case written(ManifestRow)
    /// An earlier, interrupted run wrote the tile's files.
    case alreadyPresent(ManifestRow)
    /// The tile was more invalid than allowed.
    case skipped(hasValidPixels: Bool)

    var hasValidPixels: Bool {
        switch self {
        case .written, .alreadyPresent: true
        case .skipped(let hasValidPixels): hasValidPixels
        }
    }
}

/// Cuts the tiles of one scene; each worker thread owns one, because a GDAL
/// dataset handle serves one thread at a time.
final class TileCutter {
    let scene: PreparedScene
    let job: TilingJob
    let dataset: Dataset
    let label: Dataset?
    /// The metadata written into image tiles: the radiometric offset in
    /// force, declared or from the scene, as `BOA_ADD_OFFSET` (its negation).
    let imageMetadata: [String: String]

    init(scene: PreparedScene, job: TilingJob) throws {
        self.scene = scene
        self.job = job
        dataset = try scene.pair.scene.open(bandNames: job.options.bandNames)
        label = try scene.pair.label.map { try Dataset(path: $0, allowUnnamedBands: true) }
        let offset = job.options.radiometricOffset ?? dataset.radiometricOffset
        imageMetadata = offset.map { ["BOA_ADD_OFFSET": TilingOptions.number(-$0)] } ?? [:]
    }

    /// Reads one tile and writes its image and label, unless it is too
    /// invalid or an earlier run wrote it.
    func cut(tile index: Int) throws -> TileOutcome {
        switch dataset.bands[0].dataType {
        case .byte: try cut(tile: index, as: UInt8.self)
        case .uInt16: try cut(tile: index, as: UInt16.self)
        case .int16: try cut(tile: index, as: Int16.self)
        case .uInt32: try cut(tile: index, as: UInt32.self)
        case .int32: try cut(tile: index, as: Int32.self)
        case .float32: try cut(tile: index, as: Float.self)
        case .float64: try cut(tile: index, as: Double.self)
        }
    }

    private func cut<Sample: RasterSample>(tile index: Int, as type: Sample.Type) throws -> TileOutcome {
        let window = scene.windows[index]
        let nodata = dataset.bands[0].nodata
        let fill = nodata.flatMap { Sample(nodata: $0) } ?? 0
        let image = try dataset.read(window: window, as: Sample.self, fill: fill)

        // Skip tiles that are mostly padding or fill.
        let validCount = image.validCount
        let invalidFraction = 1 - Double(validCount) / Double(window.pixelCount)
        guard invalidFraction <= job.options.maxInvalidFraction, validCount > 0 else {
            return .skipped(hasValidPixels: validCount > 0)
        }

        // Convert the label, marking pixels invalid where the image is.
        // `classCodes` contains `SurfaceClass` raw values, as the label tile stores them.
        var classCodes: [UInt8]?
        var labelValidCount = 0
        var waterCount = 0
        var cloudCount = 0
        if let label, let codes = job.options.labelCodes {
            let samples = try label.read(window: window, as: Int32.self, fill: 0,
                                         rule: ValidityRule(zeroInAllBandsIsInvalid: false))
            switch codes.classify(samples.samples, validity: samples.validity) {
            case .success(let converted):
                // Mark invalid image pixels, then count the classes. Both
                // loops are free of branches so that they vectorise. A
                // validity byte is 0 or 1, so `0 &- valid` masks an invalid
                // pixel's code to 0 (`invalid`) and keeps a valid one.
                var tileCodes = [UInt8](repeating: SurfaceClass.invalid.rawValue, count: converted.count)
                converted.withUnsafeBufferPointer { converted in
                    image.validity.withUnsafeBytes { validity in
                        tileCodes.withUnsafeMutableBufferPointer { tileCodes in
                            for pixel in 0..<converted.count {
                                tileCodes[pixel] = converted[pixel].rawValue & (0 &- validity[pixel])
                            }
                        }
                    }
                }
                (labelValidCount, waterCount, cloudCount) = TileCutter.countClasses(tileCodes)
                classCodes = tileCodes
            case .failure(let unknown):
                throw TilingError.unknownLabelCode(label: label.path, code: unknown.code,
                                                   codes: codes.name, definedCodes: codes.definedCodes)
            }
        }

        // Describe the tile, then write what an earlier run did not.
        let tileID = TileGrid.tileID(window)
        let fileName = "\(scene.name)_\(tileID).tif"
        let imagePath = "images/\(fileName)"
        let labelPath = classCodes == nil ? nil : "labels/\(fileName)"
        let inside = window.intersection(with: scene.sceneWindow)!
        let fractions = classCodes.map { _ in
            ClassFractions(tilePixels: window.pixelCount, valid: labelValidCount, water: waterCount, cloud: cloudCount)
        }
        let row = ManifestRow(
            scene: scene.name, tileID: tileID, window: window,
            validWidth: inside.width, validHeight: inside.height,
            invalidFraction: fractions?.invalid ?? invalidFraction,
            waterFraction: fractions?.water, cloudFraction: fractions?.cloud,
            imagePath: imagePath, labelPath: labelPath)

        let imageFile = (job.outputFolder as NSString).appendingPathComponent(imagePath)
        let labelFile = labelPath.map { (job.outputFolder as NSString).appendingPathComponent($0) }
        if TileFile.isIntact(imageFile, window: window, bandCount: image.bandNames.count),
           labelFile.map({ TileFile.isIntact($0, window: window, bandCount: 1) }) ?? true {
            return .alreadyPresent(row)
        }
        let georeference = Georeference(of: dataset, window: window)
        if let classCodes, let labelFile {
            try RasterWriter.write(samples: classCodes, width: window.width, height: window.height,
                                   bandNames: ["class"], georeference: georeference,
                                   nodata: Double(SurfaceClass.invalid.rawValue),
                                   to: labelFile, compression: job.options.compression)
        }
        try RasterWriter.write(samples: image.samples, width: window.width, height: window.height,
                               bandNames: image.bandNames, georeference: georeference,
                               nodata: nodata.flatMap { Sample(nodata: $0) == nil ? nil : $0 },
                               validity: image.validity, metadata: imageMetadata,
                               to: imageFile, compression: job.options.compression)
        return .written(row)
    }
}

extension TileCutter {
    /// Counts the pixels of a label tile that are not `invalid`, and the
    /// water and cloud pixels among them.
    /// - Parameter codes: `SurfaceClass` raw values.
    static func countClasses(_ codes: [UInt8]) -> (valid: Int, water: Int, cloud: Int) {
        var valid = 0
        var water = 0
        var cloud = 0
        // 32-bit counters vectorise; chunks keep them from overflowing.
        let chunkSize = 1 << 24
        codes.withUnsafeBufferPointer { codes in
            for chunkStart in stride(from: 0, to: codes.count, by: chunkSize) {
                var chunkValid: UInt32 = 0
                var chunkWater: UInt32 = 0
                var chunkCloud: UInt32 = 0
                for code in codes[chunkStart..<min(chunkStart + chunkSize, codes.count)] {
                    chunkValid &+= code == SurfaceClass.invalid.rawValue ? 0 : 1
                    chunkWater &+= code == SurfaceClass.water.rawValue ? 1 : 0
                    chunkCloud &+= code == SurfaceClass.cloud.rawValue ? 1 : 0
                }
                valid += Int(chunkValid)
                water += Int(chunkWater)
                cloud += Int(chunkCloud)
            }
        }
        return (valid, water, cloud)
    }
}

/// The class fractions of a label tile, as the manifest defines them.
///
/// ```
/// valid     = pixels valid in both image and label (class not invalid)
/// water     = water pixels / valid        (0 when valid is 0)
/// cloud     = cloud pixels / valid        (0 when valid is 0)
/// invalid   = (tile pixels - valid) / tile pixels
/// ```
/// Padding past the scene edge is invalid, so it counts in `invalid` only.
struct ClassFractions {
    let water: Double
    let cloud: Double
    let invalid: Double

    /// Computes the fractions from pixel counts of one tile.
    /// - Parameters:
    ///   - tilePixels: width x height, padding included.
    ///   - valid: pixels valid in both image and label.
    ///   - water: water pixels among them; `cloud`: cloud pixels among them.
    init(tilePixels: Int, valid: Int, water: Int, cloud: Int) {
        self.water = valid == 0 ? 0 : Double(water) / Double(valid)
        self.cloud = valid == 0 ? 0 : Double(cloud) / Double(valid)
        invalid = tilePixels == 0 ? 1 : Double(tilePixels - valid) / Double(tilePixels)
    }
}

/// Checks of tile files that an earlier run wrote.
enum TileFile {
    /// Returns whether a tile file exists, opens, has the window's size and band
    /// count, and contains every block its directory lists (see
    /// `Dataset.blocksLieInsideFile`), so a deleted or truncated tile is
    /// written again rather than trusted.
    static func isIntact(_ path: String, window: Window, bandCount: Int) -> Bool {
        guard FileManager.default.fileExists(atPath: path),
              let tile = try? Dataset(path: path, allowUnnamedBands: true) else { return false }
        return tile.width == window.width && tile.height == window.height
            && tile.bands.count == bandCount && tile.blocksLieInsideFile
    }
}
