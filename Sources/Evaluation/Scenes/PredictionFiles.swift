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
    /// What a prediction raster holds.
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

/// Writes the cluster ids of a scene with their statistics and water mask.
public enum PredictionWriter {
    /// Writes `<scene>_clusters.tif`, `<scene>_clusters.json` and
    /// `<scene>_water.tif` into `folder`, georeferenced like `dataset`.
    ///
    /// - Parameters:
    ///   - clusters: cluster ids, shape `(dataset.height, dataset.width)`.
    ///   - clusterCount: the number of clusters.
    ///   - naming: the rule that names the clusters from the scene's spectra.
    /// - Returns: the label-free mapping and the water mask written.
    /// - Throws: `EvaluationError.missingBands` when the scene has no water
    ///   index bands, `GeoRasterError` for failed reads or writes.
    @discardableResult
    public static func write(clusters: [UInt8], clusterCount: Int, dataset: Dataset, scene: String, folder: String,
                             naming: LabelFreeNaming = LabelFreeNaming(),
                             scale: ReflectanceScale? = nil) throws -> (statistics: ClusterStatisticsFile, water: [UInt8]) {
        let spectra = try SceneSpectra(bandNames: dataset.bandNames, scene: dataset.path)
        let statistics = try ClusterSpectralStatistics.measure(clusters: clusters, clusterCount: clusterCount,
                                                               dataset: dataset, spectra: spectra, scale: scale)
        let mapping = naming.mapping(statistics)
        let water = mapping.waterMask(clusters)
        let base = (folder as NSString).appendingPathComponent(scene)
        try RasterWriter.writeMask(clusters, like: dataset, nodata: ClusterIDs.invalid, bandName: "cluster",
                                   to: base + PredictionFile.clustersSuffix)
        let file = ClusterStatisticsFile(waterIndex: spectra.waterIndex, statistics: statistics, mapping: mapping)
        try file.write(to: base + PredictionFile.statisticsSuffix)
        try RasterWriter.writeMask(water, like: dataset, nodata: WaterMaskValue.invalid, bandName: "water",
                                   to: base + PredictionFile.waterSuffix)
        return (file, water)
    }
}
