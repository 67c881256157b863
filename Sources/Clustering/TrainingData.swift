import Foundation
import GeoRaster
import TensorEngine
import Tiling

/// The rasters a model trains on: tiles listed in tile manifests, or whole
/// scenes of any size, read window by window as reflectance.
public final class TrainingData {
    /// The bands used when none are named and a scene has them all:
    /// visible, near infrared and both short-wave infrared bands.
    public static let defaultBands = ["B2", "B3", "B4", "B8", "B11", "B12"]

    /// A raster to sample from and its size in pixels.
    struct Raster {
        let source: SceneSource
        let width: Int
        let height: Int
    }

    /// Input band names, in order.
    public let bands: [String]
    /// The scale reflectance is read on.
    public let inputScale: InputScale
    /// Band names given to rasters whose files name no bands, or nil.
    let declaredNames: [String]?
    let rasters: [Raster]
    /// Cumulative pixel counts, to draw a raster in proportion to its area.
    private let cumulativeAreas: [Int]

    /// The number of rasters (tiles and scenes).
    public var rasterCount: Int { rasters.count }

    /// Finds the rasters in `inputs` and checks that each has the bands.
    /// - Parameters:
    ///   - inputs: tile folders (with `manifest.csv`), raster files, folders
    ///     of scenes or folders of one file per band.
    ///   - bands: band names, or nil for `defaultBands` when the first raster
    ///     has them and all its bands when it has at most four. For files
    ///     that name no bands, these name the file's bands in file order.
    ///   - inputScale: the scale every read returns reflectance on.
    /// - Throws: `ClusteringError` for missing inputs, inputs without
    ///   rasters and unknown bands; `GeoRasterError` for unreadable files.
    public init(inputs: [String], bands requested: [String]?, inputScale: InputScale = .linear) throws {
        var sources: [SceneSource] = []
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw ClusteringError.inputNotFound(input)
            }
            let manifest = (input as NSString).appendingPathComponent(Manifest.fileName)
            if isDirectory.boolValue, FileManager.default.fileExists(atPath: manifest) {
                let rows = try Manifest.read(manifest)
                guard !rows.isEmpty else { throw ClusteringError.noScenes(input) }
                sources += rows.map { row in
                    .file(row.imagePath.hasPrefix("/") ? row.imagePath : (input as NSString).appendingPathComponent(row.imagePath))
                }
            } else {
                let found = try ScenePairing.discover(inputs: [input], labels: nil).pairs.map(\.scene)
                guard !found.isEmpty else { throw ClusteringError.noScenes(input) }
                sources += found
            }
        }

        // Choose the bands from the first raster, then check every raster.
        let declared = try Self.declaredNames(sources[0], requested: requested)
        let first = try sources[0].open(bandNames: declared)
        let chosen: [String]
        if let requested {
            chosen = requested
        } else if Set(Self.defaultBands).isSubset(of: first.bandNames) {
            chosen = Self.defaultBands
        } else if first.bandNames.count <= 4 {
            chosen = first.bandNames
        } else {
            throw ClusteringError.bandsNotChosen(scene: sources[0].description, available: first.bandNames)
        }
        var rasters: [Raster] = []
        for source in sources {
            let dataset = try source.open(bandNames: declared)
            for band in chosen where !dataset.bandNames.contains(band) {
                throw ClusteringError.unknownBand(band, scene: source.description, available: dataset.bandNames)
            }
            rasters.append(Raster(source: source, width: dataset.width, height: dataset.height))
        }
        bands = chosen
        declaredNames = declared
        self.inputScale = inputScale
        self.rasters = rasters
        var total = 0
        cumulativeAreas = rasters.map { total += $0.width * $0.height; return total }
    }

    /// Returns `requested` as the names of the file's bands in file order when
    /// the file names none (an 8-bit PNG export, say), else nil.
    private static func declaredNames(_ source: SceneSource, requested: [String]?) throws -> [String]? {
        do {
            _ = try source.open()
            return nil
        } catch let error as GeoRasterError where error.code == .unnamedBands && requested != nil {
            return requested
        }
    }

        /// Reads a window of one raster as reflectance on `inputScale`.
    /// - Returns: `bands.count x window.pixelCount` reflectance, row-major,
    ///   and one validity flag per pixel (false outside the raster).
    func read(raster index: Int, window: Window) throws -> (reflectance: [Float], valid: [Bool]) {
        let dataset = try rasters[index].source.open(bandNames: declaredNames)
        let scale = ReflectanceScale.forScene(dataset)
        let block = try dataset.read(bands: bands, window: window, as: Float.self)
        var values = block.samples
        for index in values.indices { values[index] = scale.reflectance(values[index]) }
        inputScale.apply(&values, bandCount: bands.count)
        return (values, block.validity)
    }

    /// Computes the per-band statistics over the valid pixels, streaming
    /// 512 x 512 windows.
    ///
    /// NOTE: when the rasters contain more than `windowLimit` windows, an
    /// evenly spaced subset of them is read, so that a large collection costs
    /// minutes at most. The mean and spread of reflectance settle long before.
    /// - Throws: `ClusteringError.noValidPixels` when no pixel is valid.
    public func statistics(windowLimit: Int = 1024) throws -> BandStatistics {
        let side = 512
        var windows: [(Int, Window)] = []
        for (index, raster) in rasters.enumerated() {
            for row in stride(from: 0, to: raster.height, by: side) {
                for column in stride(from: 0, to: raster.width, by: side) {
                    windows.append((index, Window(columnOffset: column, rowOffset: row,
                                                  width: min(side, raster.width - column), height: min(side, raster.height - row))))
                }
            }
        }
        let stride = max(1, (windows.count + windowLimit - 1) / windowLimit)
        var accumulator = BandStatisticsAccumulator(bands: bands)
        for position in Swift.stride(from: 0, to: windows.count, by: stride) {
            let (index, window) = windows[position]
            let (reflectance, valid) = try read(raster: index, window: window)
            accumulator.add(reflectance: reflectance, valid: valid)
        }
        guard accumulator.pixelCount > 0 else { throw ClusteringError.noValidPixels }
        return accumulator.statistics
    }

    /// Draws a random square crop: a raster in proportion to its area, then a
    /// position uniformly inside it. A crop more than half invalid is drawn
    /// again, up to eight times.
    /// - Parameter size: the crop side in pixels; crops larger than a raster
    ///   are padded with invalid pixels.
    /// - Returns: `bands.count x size x size` reflectance and `size x size` flags.
    func randomCrop(size: Int, generator: inout SeededGenerator) throws -> (reflectance: [Float], valid: [Bool]) {
        var crop: (reflectance: [Float], valid: [Bool]) = ([], [])
        for _ in 0..<8 {
            let area = Int(generator.next() % UInt64(cumulativeAreas.last!))
            let index = cumulativeAreas.firstIndex { area < $0 }!
            let raster = rasters[index]
            let row = raster.height > size ? Int(generator.next() % UInt64(raster.height - size + 1)) : 0
            let column = raster.width > size ? Int(generator.next() % UInt64(raster.width - size + 1)) : 0
            crop = try read(raster: index, window: Window(columnOffset: column, rowOffset: row, width: size, height: size))
            if crop.valid.lazy.filter({ $0 }).count * 2 >= crop.valid.count { break }
        }
        return crop
    }
}
