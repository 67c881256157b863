import Foundation
import Tiling

/// The confusion matrix of one scene, under the scene's name.
public struct SceneConfusion: Equatable, Sendable {
    /// The scene's name, for example its file name without extension.
    public var scene: String
    public var matrix: ConfusionMatrix

    public init(scene: String, matrix: ConfusionMatrix) {
        self.scene = scene
        self.matrix = matrix
    }
}

/// The scores of one scene and the mapping they were computed with.
public struct SceneMetrics: Equatable, Sendable {
    public var scene: String
    public var mapping: ClusterMapping
    public var metrics: SegmentationMetrics
}

/// Per-scene and pooled scores, the result of `shoreline evaluate`.
///
/// The pooled scores come from the sum of the per-scene class tables, so a
/// large scene weighs more than a small one (pixel-weighted, not a mean of
/// per-scene scores).
public struct EvaluationReport: Equatable, Sendable {
    /// The scores of all scenes pooled.
    public var pooled: SegmentationMetrics
    /// The scores of each scene, in input order.
    public var perScene: [SceneMetrics]
    /// The mapping every scene was scored with, or nil when each scene has its
    /// own (label-free naming).
    public var mapping: ClusterMapping?

    /// Scores every scene with the same mapping, for example a Hungarian
    /// mapping computed on the pooled matrix.
    /// - Precondition: `scenes` is not empty and every matrix counts the same
    ///   classes.
    public init(scenes: [SceneConfusion], mapping: ClusterMapping) {
        self.init(scenes: scenes, mappings: scenes.map { _ in mapping })
        self.mapping = mapping
    }

    /// Scores each scene with its own mapping, for example label-free names
    /// computed from each scene's pixels.
    /// - Precondition: `scenes` is not empty, there is one mapping per scene and
    ///   every matrix counts the same classes.
    public init(scenes: [SceneConfusion], mappings: [ClusterMapping]) {
        precondition(!scenes.isEmpty, "an evaluation report needs at least one scene")
        precondition(scenes.count == mappings.count, "got \(scenes.count) scenes but \(mappings.count) mappings")
        var pooledConfusion: ClassConfusion?
        var perScene: [SceneMetrics] = []
        for (scene, mapping) in zip(scenes, mappings) {
            let confusion = ClassConfusion(scene.matrix, mapping: mapping)
            if pooledConfusion == nil {
                pooledConfusion = confusion
            } else {
                pooledConfusion?.merge(confusion)
            }
            perScene.append(SceneMetrics(scene: scene.scene, mapping: mapping, metrics: SegmentationMetrics(confusion)))
        }
        self.pooled = SegmentationMetrics(pooledConfusion!)
        self.perScene = perScene
        self.mapping = nil
    }

    /// Returns the report as JSON with sorted keys, as `--json` prints it.
    ///
    /// The top level contains the pooled scores (`water_iou`, `pixel_accuracy`,
    /// `mean_iou`, `water_precision`, `water_recall`, `water_f1`,
    /// `pixel_count`, `per_class`), the `mapping` (null for per-scene
    /// mappings) and `per_scene`, a list of objects with the same score keys
    /// plus `scene` and `mapping`. Undefined scores are null.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// The JSON keys of the report, the scene entries and the metrics.
private enum ReportCodingKeys: String, CodingKey {
    case pixelCount = "pixel_count"
    case pixelAccuracy = "pixel_accuracy"
    case meanIoU = "mean_iou"
    case waterIoU = "water_iou"
    case waterPrecision = "water_precision"
    case waterRecall = "water_recall"
    case waterF1 = "water_f1"
    case perClass = "per_class"
    case perScene = "per_scene"
    case mapping
    case scene
}

/// The JSON keys of one class's scores.
private enum ClassMetricsCodingKeys: String, CodingKey {
    case iou
    case precision
    case recall
    case f1
    case labelledPixels = "labelled_pixels"
    case predictedPixels = "predicted_pixels"
}

extension ClassMetrics: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: ClassMetricsCodingKeys.self)
        iou = try container.decodeIfPresent(Double.self, forKey: .iou)
        precision = try container.decodeIfPresent(Double.self, forKey: .precision)
        recall = try container.decodeIfPresent(Double.self, forKey: .recall)
        f1 = try container.decodeIfPresent(Double.self, forKey: .f1)
        labelledPixels = try container.decode(Int64.self, forKey: .labelledPixels)
        predictedPixels = try container.decode(Int64.self, forKey: .predictedPixels)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: ClassMetricsCodingKeys.self)
        // `encode` of an Optional writes null, so an undefined score stays
        // visible in the JSON instead of vanishing.
        try container.encode(iou, forKey: .iou)
        try container.encode(precision, forKey: .precision)
        try container.encode(recall, forKey: .recall)
        try container.encode(f1, forKey: .f1)
        try container.encode(labelledPixels, forKey: .labelledPixels)
        try container.encode(predictedPixels, forKey: .predictedPixels)
    }
}

extension SegmentationMetrics: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: ReportCodingKeys.self)
        try self.init(from: container)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: ReportCodingKeys.self)
        try encode(into: &container)
    }

    fileprivate init(from container: KeyedDecodingContainer<ReportCodingKeys>) throws {
        pixelCount = try container.decode(Int64.self, forKey: .pixelCount)
        pixelAccuracy = try container.decodeIfPresent(Double.self, forKey: .pixelAccuracy)
        meanIoU = try container.decodeIfPresent(Double.self, forKey: .meanIoU)
        let byName = try container.decode([String: ClassMetrics].self, forKey: .perClass)
        for name in byName.keys where !SurfaceClass.scored.contains(where: { $0.description == name }) {
            throw DecodingError.dataCorruptedError(
                forKey: .perClass,
                in: container,
                debugDescription: "unknown class '\(name)'; use land, water or cloud"
            )
        }
        perClass = SurfaceClass.scored.compactMap { surfaceClass in
            byName[surfaceClass.description].map { (surfaceClass, $0) }
        }
    }

    fileprivate func encode(into container: inout KeyedEncodingContainer<ReportCodingKeys>) throws {
        try container.encode(pixelCount, forKey: .pixelCount)
        try container.encode(pixelAccuracy, forKey: .pixelAccuracy)
        try container.encode(meanIoU, forKey: .meanIoU)
        try container.encode(water?.iou, forKey: .waterIoU)
        try container.encode(water?.precision, forKey: .waterPrecision)
        try container.encode(water?.recall, forKey: .waterRecall)
        try container.encode(water?.f1, forKey: .waterF1)
        let byName = Dictionary(uniqueKeysWithValues: perClass.map { ($0.surfaceClass.description, $0.metrics) })
        try container.encode(byName, forKey: .perClass)
    }
}

extension SceneMetrics: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: ReportCodingKeys.self)
        scene = try container.decode(String.self, forKey: .scene)
        mapping = try container.decode(ClusterMapping.self, forKey: .mapping)
        metrics = try SegmentationMetrics(from: container)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: ReportCodingKeys.self)
        try container.encode(scene, forKey: .scene)
        try container.encode(mapping, forKey: .mapping)
        try metrics.encode(into: &container)
    }
}

extension EvaluationReport: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: ReportCodingKeys.self)
        pooled = try SegmentationMetrics(from: container)
        perScene = try container.decode([SceneMetrics].self, forKey: .perScene)
        mapping = try container.decodeIfPresent(ClusterMapping.self, forKey: .mapping)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: ReportCodingKeys.self)
        try pooled.encode(into: &container)
        try container.encode(perScene, forKey: .perScene)
        try container.encode(mapping, forKey: .mapping)
    }
}
