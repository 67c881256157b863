import Foundation
import GeoRaster

/// The files `shoreline segment` and `shoreline baseline` write per scene,
/// and how `shoreline evaluate` finds them again.
///
/// - `<scene>_clusters.tif`: cluster ids (UInt8 COG, nodata 255).
/// - `<scene>_clusters.json`: per-cluster spectral statistics and the
///   label-free mapping (see `ClusterStatisticsFile`).
/// - `<scene>_water.tif`: the water mask (UInt8 COG, 0 not water, 1 water,
///   nodata 255).
/// - `<scene>_quicklook.png`, `<scene>_overlay.png`: pictures.
public struct PredictionFile: Equatable, Sendable {
    /// The content of a prediction raster.
    public enum Kind: String, Sendable {
        /// Cluster ids, scored through a mapping.
        case clusters
        /// A water mask, scored as it is.
        case water
    }

    public var scene: String
    public var path: String
    public var kind: Kind

    public init(scene: String, path: String, kind: Kind) {
        self.scene = scene
        self.path = path
        self.kind = kind
    }

    /// The suffixes of the files of a scene.
    public static let clustersSuffix = "_clusters.tif"
    public static let statisticsSuffix = "_clusters.json"
    public static let waterSuffix = "_water.tif"
    public static let quicklookSuffix = "_quicklook.png"
    public static let overlaySuffix = "_overlay.png"

    /// The statistics file beside a cluster-id raster.
    public var statisticsPath: String {
        String(path.dropLast(Self.clustersSuffix.count)) + Self.statisticsSuffix
    }

    /// Returns the predictions in `folder` of one kind, sorted by scene.
    /// - Throws: `EvaluationError.noPredictions` when there are none, or the
    ///   file system's error when the folder cannot be listed.
    public static func discover(in folder: String, kind: Kind) throws -> [PredictionFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        let suffix = kind == .clusters ? clustersSuffix : waterSuffix
        let files = names.filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.sorted().map { name in
            PredictionFile(scene: String(name.dropLast(suffix.count)), path: (folder as NSString).appendingPathComponent(name), kind: kind)
        }
        guard !files.isEmpty else { throw EvaluationError.noPredictions(folder: folder) }
        return files
    }
}

/// The share of water among the valid pixels of a mask.
public struct WaterShare: Equatable, Sendable, CustomStringConvertible {
    public var waterCount = 0
    public var validCount = 0

    public init() {}

    /// Counts the water and valid pixels of `WaterMaskValue`s.
    public mutating func add(_ mask: [UInt8]) {
        for value in mask where value != WaterMaskValue.invalid {
            validCount += 1
            if value == WaterMaskValue.water { waterCount += 1 }
        }
    }

    /// The share in percent, such as `26.7 %`.
    public var description: String {
        validCount == 0 ? "- (no valid pixel)" : String(format: "%.1f %%", 100 * Double(waterCount) / Double(validCount))
    }
}

/// Writes `<scene>_water.tif` and the scene's quicklook and overlay PNGs
/// from water-mask strips, so memory keeps one strip and the pictures.
public final class WaterMaskWriter {
    private let mask: MaskStripWriter
    private var quicklook: SceneQuicklook
    private let readsPictures: Bool
    private let base: String
    /// The water share of the strips added so far.
    public private(set) var share = WaterShare()

    /// Creates the writer of `scene`'s mask in `folder`.
    /// - Throws: `GeoRasterError` when the folder cannot be written.
    public convenience init(dataset: Dataset, scene: String, folder: String) throws {
        try self.init(dataset: dataset, scene: scene, folder: folder, quicklook: SceneQuicklook(dataset: dataset),
                      readsPictures: true)
    }

    /// Creates the writer. With `readsPictures` false, `quicklook` already
    /// contains the picture and `add` only records the water.
    init(dataset: Dataset, scene: String, folder: String, quicklook: SceneQuicklook, readsPictures: Bool) throws {
        base = (folder as NSString).appendingPathComponent(scene)
        mask = try MaskStripWriter(like: dataset, nodata: WaterMaskValue.invalid, bandName: "water",
                                   to: base + PredictionFile.waterSuffix)
        self.quicklook = quicklook
        self.readsPictures = readsPictures
    }

    /// Writes one full-width strip of `WaterMaskValue`s.
    /// - Throws: `GeoRasterError` for a failed read of the pictures' bands
    ///   or a failed write.
    public func add(_ window: Window, water: [UInt8]) throws {
        try mask.write(water, window: window)
        if readsPictures { try quicklook.addPicture(reading: window) }
        quicklook.addWater(window, water: water)
        share.add(water)
    }

    /// Writes the final mask COG and the PNGs.
    /// - Throws: `GeoRasterError` for a failed write.
    public func finish() throws {
        try mask.finish()
        try quicklook.write(quicklookPath: base + PredictionFile.quicklookSuffix,
                            overlayPath: base + PredictionFile.overlaySuffix)
    }
}

/// Writes the cluster ids of a scene strip by strip, then their statistics,
/// the label-free water mask and the pictures.
///
/// `add` writes each strip of ids and sums each cluster's water index and
/// brightness from the scene's reflectance (read once per strip, with the
/// quicklook's bands). `finish` names the clusters from the sums, then reads
/// the ids back strip by strip to write the water mask, so memory contains one
/// strip at a time whatever the scene's size.
public final class ClusterPredictionWriter {
    public let dataset: Dataset
    public let clusterCount: Int
    private let spectra: SceneSpectra
    private let naming: LabelFreeNaming
    private let scale: ReflectanceScale?
    private let scene: String
    private let folder: String
    private let clusters: MaskStripWriter
    private var statistics: ClusterSpectralStatistics
    private var quicklook: SceneQuicklook
    /// The bands `add` reads for the statistics and the quicklook.
    public let bandsRead: [String]

    /// Creates the writer of `scene`'s predictions in `folder`.
    /// - Parameters:
    ///   - clusterCount: the number of clusters, 1 to 254.
    ///   - naming: the rule that names the clusters from the scene's spectra.
    ///   - scale: the reflectance conversion; nil takes the scene's.
    /// - Throws: `EvaluationError.missingBands` when the scene has no water
    ///   index bands, `GeoRasterError` when the folder cannot be written.
    public init(dataset: Dataset, clusterCount: Int, scene: String, folder: String,
                naming: LabelFreeNaming = LabelFreeNaming(), scale: ReflectanceScale? = nil) throws {
        precondition((1...254).contains(clusterCount), "cluster count must be 1 to 254, got \(clusterCount)")
        let spectra = try SceneSpectra(bandNames: dataset.bandNames, scene: dataset.path)
        let quicklook = SceneQuicklook(dataset: dataset)
        self.spectra = spectra
        self.dataset = dataset
        self.clusterCount = clusterCount
        self.naming = naming
        self.scale = scale
        self.scene = scene
        self.folder = folder
        statistics = ClusterSpectralStatistics(clusterCount: clusterCount)
        self.quicklook = quicklook
        bandsRead = spectra.bandsRead + quicklook.bands.filter { !spectra.bandsRead.contains($0) }
        clusters = try MaskStripWriter(like: dataset, nodata: ClusterIDs.invalid, bandName: "cluster",
                                       to: (folder as NSString).appendingPathComponent(scene) + PredictionFile.clustersSuffix)
    }

    /// Writes one full-width strip of cluster ids and adds its pixels to the
    /// cluster statistics.
    /// - Parameters:
    ///   - ids: shape `(window.height, window.width)`, `ClusterIDs.invalid`
    ///     where invalid.
    ///   - reflectance: the strip's reflectance in at least `bandsRead`,
    ///     when the caller has it; nil reads it from the scene.
    /// - Throws: `GeoRasterError` for a failed read or write.
    public func add(_ window: Window, clusters ids: [UInt8], reflectance: RasterBlock<Float>? = nil) throws {
        if let reflectance {
            precondition(reflectance.window == window && bandsRead.allSatisfy(reflectance.bandNames.contains),
                         "the reflectance of \(reflectance.window) in \(reflectance.bandNames) does not cover \(window) in \(bandsRead)")
        }
        let block = try reflectance ?? dataset.readReflectance(bands: bandsRead, window: window, scale: scale)
        let (index, brightness) = spectra.measure(block)
        statistics.add(clusters: ids, waterIndex: index, brightness: brightness)
        quicklook.addPicture(block)
        try clusters.write(ids, window: window)
    }

    /// Writes `<scene>_clusters.tif`, `<scene>_clusters.json`,
    /// `<scene>_water.tif` and the PNGs.
    /// - Returns: the statistics file written and the water share.
    /// - Throws: `GeoRasterError` for a failed read or write.
    @discardableResult
    public func finish() throws -> (statistics: ClusterStatisticsFile, water: WaterShare) {
        try clusters.finish()
        let mapping = naming.mapping(statistics)
        let base = (folder as NSString).appendingPathComponent(scene)
        let file = ClusterStatisticsFile(waterIndex: spectra.waterIndex, statistics: statistics, mapping: mapping)
        try file.write(to: base + PredictionFile.statisticsSuffix)

        // The water mask, from the ids read back strip by strip.
        let written = try Dataset(path: base + PredictionFile.clustersSuffix, allowUnnamedBands: true)
        let water = try WaterMaskWriter(dataset: dataset, scene: scene, folder: folder, quicklook: quicklook, readsPictures: false)
        for window in SceneStrips.windows(of: written) {
            let strip = try written.read(window: window, as: UInt8.self, fill: ClusterIDs.invalid,
                                         rule: ValidityRule(zeroInAllBandsIsInvalid: false))
            try water.add(window, water: mapping.waterMask(strip.samples))
        }
        try water.finish()
        return (file, water.share)
    }
}
