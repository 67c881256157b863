import Foundation
import Testing
import Tiling
import Evaluation

/// Two clusters against land and water:
///
/// ```
///             land  water
/// cluster 0     50     10
/// cluster 1      5     35
/// ```
private let twoClusterMatrix = ConfusionMatrix(clusterCount: 2, classes: [.land, .water], counts: [50, 10, 5, 35])

private func expectClose(_ actual: Double?, _ expected: Double, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let actual else {
        Issue.record("expected \(expected), got nil", sourceLocation: sourceLocation)
        return
    }
    #expect(abs(actual - expected) < 1e-12, "expected \(expected), got \(actual)", sourceLocation: sourceLocation)
}

@Test func metricsHandComputed() {
    let mapping = ClusterMapping.hungarian(twoClusterMatrix)
    #expect(mapping.classes == [.land, .water])
    let metrics = SegmentationMetrics(ClassConfusion(twoClusterMatrix, mapping: mapping))

    // Water: TP 35, FP 5, FN 10. Land: TP 50, FP 10, FN 5.
    #expect(metrics.pixelCount == 100)
    expectClose(metrics.pixelAccuracy, 0.85)
    expectClose(metrics.water?.iou, 35.0 / 50.0)
    expectClose(metrics.water?.precision, 35.0 / 40.0)
    expectClose(metrics.water?.recall, 35.0 / 45.0)
    expectClose(metrics.water?.f1, 70.0 / 85.0)
    #expect(metrics.water?.labelledPixels == 45)
    #expect(metrics.water?.predictedPixels == 40)
    expectClose(metrics[.land]?.iou, 50.0 / 65.0)
    expectClose(metrics[.land]?.precision, 50.0 / 60.0)
    expectClose(metrics[.land]?.recall, 50.0 / 55.0)
    expectClose(metrics.meanIoU, (35.0 / 50.0 + 50.0 / 65.0) / 2)
    #expect(metrics[.cloud] == nil)
}

@Test func metricsCountUnmappedClusterAsErrors() {
    // Cluster 2 is left unmapped; its 4 land and 6 water pixels are misses.
    let matrix = ConfusionMatrix(clusterCount: 3, classes: [.land, .water], counts: [50, 10, 5, 35, 4, 6])
    let mapping = ClusterMapping(method: .hungarian, classes: [.land, .water, nil])
    let confusion = ClassConfusion(matrix, mapping: mapping)
    #expect(confusion.count(predicted: nil, labelled: .water) == 6)
    let metrics = SegmentationMetrics(confusion)

    #expect(metrics.pixelCount == 110)
    expectClose(metrics.pixelAccuracy, 85.0 / 110.0)
    expectClose(metrics.water?.iou, 35.0 / 56.0)
    expectClose(metrics.water?.recall, 35.0 / 51.0)
    expectClose(metrics.water?.precision, 35.0 / 40.0)
    expectClose(metrics[.land]?.iou, 50.0 / 69.0)
}

@Test func metricsUndefinedScoresAreNil() {
    // Cloud is scored but neither labelled nor predicted: no IoU, and the
    // mean IoU is over land and water only.
    let matrix = ConfusionMatrix(clusterCount: 2, counts: [50, 10, 0, 5, 35, 0])
    let metrics = SegmentationMetrics(ClassConfusion(matrix, mapping: ClusterMapping(method: .fixed, classes: [.land, .water])))
    #expect(metrics[.cloud]?.iou == nil)
    #expect(metrics[.cloud]?.precision == nil)
    #expect(metrics[.cloud]?.recall == nil)
    #expect(metrics[.cloud]?.f1 == nil)
    expectClose(metrics.meanIoU, (35.0 / 50.0 + 50.0 / 65.0) / 2)

    let empty = SegmentationMetrics(ClassConfusion(ConfusionMatrix(clusterCount: 1), mapping: ClusterMapping(method: .fixed, classes: [.water])))
    #expect(empty.pixelAccuracy == nil)
    #expect(empty.meanIoU == nil)
}

@Test func mappingToUnscoredClassCountsAsErrors() {
    // A cluster named cloud while cloud is excluded predicts no scored class.
    let matrix = ConfusionMatrix(clusterCount: 2, classes: [.land, .water], counts: [8, 2, 1, 9])
    let confusion = ClassConfusion(matrix, mapping: ClusterMapping(method: .labelFree, classes: [.cloud, .water]))
    #expect(confusion.count(predicted: nil, labelled: .land) == 8)
    expectClose(SegmentationMetrics(confusion).pixelAccuracy, 9.0 / 20.0)
}

@Test func reportPoolsScenesByPixels() {
    let first = ConfusionMatrix(clusterCount: 2, classes: [.land, .water], counts: [50, 10, 5, 35])
    let second = ConfusionMatrix(clusterCount: 2, classes: [.land, .water], counts: [10, 0, 0, 0])
    let scenes = [SceneConfusion(scene: "a", matrix: first), SceneConfusion(scene: "b", matrix: second)]
    let mapping = ClusterMapping(method: .hungarian, classes: [.land, .water])
    let report = EvaluationReport(scenes: scenes, mapping: mapping)

    #expect(report.perScene.map(\.scene) == ["a", "b"])
    #expect(report.mapping == mapping)
    #expect(report.pooled.pixelCount == 110)
    expectClose(report.pooled.pixelAccuracy, 95.0 / 110.0)
    expectClose(report.perScene[1].metrics.pixelAccuracy, 1.0)
    // Scene b has no water at all: its water scores are undefined.
    #expect(report.perScene[1].metrics.water?.iou == nil)
}

@Test func reportWithPerSceneMappings() {
    let first = ConfusionMatrix(clusterCount: 2, classes: [.land, .water], counts: [50, 10, 5, 35])
    let second = ConfusionMatrix(clusterCount: 2, classes: [.land, .water], counts: [5, 35, 50, 10])
    let report = EvaluationReport(
        scenes: [SceneConfusion(scene: "a", matrix: first), SceneConfusion(scene: "b", matrix: second)],
        mappings: [
            ClusterMapping(method: .labelFree, classes: [.land, .water]),
            ClusterMapping(method: .labelFree, classes: [.water, .land]),
        ]
    )
    #expect(report.mapping == nil)
    expectClose(report.pooled.pixelAccuracy, 170.0 / 200.0)
    expectClose(report.pooled.water?.iou, 70.0 / 100.0)
}

@Test func reportJSONKeys() throws {
    let report = EvaluationReport(
        scenes: [SceneConfusion(scene: "Spain_7370579", matrix: twoClusterMatrix)],
        mapping: ClusterMapping(method: .hungarian, classes: [.land, .water])
    )
    let object = try #require(try JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any])
    #expect(Set(object.keys) == [
        "water_iou", "pixel_accuracy", "mean_iou", "per_class", "per_scene", "mapping",
        "water_precision", "water_recall", "water_f1", "pixel_count",
    ])
    #expect(object["water_iou"] as? Double == 0.7)
    #expect(object["pixel_accuracy"] as? Double == 0.85)
    let perClass = try #require(object["per_class"] as? [String: [String: Any]])
    #expect(Set(perClass.keys) == ["land", "water"])
    #expect(perClass["water"]?["labelled_pixels"] as? Int == 45)
    let mapping = try #require(object["mapping"] as? [String: Any])
    #expect(mapping["method"] as? String == "hungarian")
    #expect(mapping["clusters"] as? [String] == ["land", "water"])
    let perScene = try #require(object["per_scene"] as? [[String: Any]])
    #expect(perScene.first?["scene"] as? String == "Spain_7370579")
    #expect(perScene.first?["water_iou"] as? Double == 0.7)
}

@Test func reportJSONWritesNullForUndefined() throws {
    let matrix = ConfusionMatrix(clusterCount: 3, classes: [.land, .water], counts: [10, 0, 0, 0, 0, 0])
    let report = EvaluationReport(
        scenes: [SceneConfusion(scene: "dry", matrix: matrix)],
        mapping: ClusterMapping(method: .hungarian, classes: [.land, .water, nil])
    )
    let text = try #require(String(data: report.jsonData(), encoding: .utf8))
    #expect(text.contains("\"water_iou\" : null"))
    let object = try #require(try JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any])
    let clusters = try #require((object["mapping"] as? [String: Any])?["clusters"] as? [Any])
    #expect(clusters.count == 3)
    #expect(clusters.last is NSNull)
}

@Test func reportJSONRoundTrip() throws {
    let scenes = [
        SceneConfusion(scene: "a", matrix: ConfusionMatrix(clusterCount: 3, counts: [50, 10, 2, 5, 35, 0, 1, 1, 9])),
        SceneConfusion(scene: "b", matrix: ConfusionMatrix(clusterCount: 3, counts: [7, 0, 0, 0, 0, 0, 0, 0, 0])),
    ]
    let mappings = [
        ClusterMapping(method: .labelFree, classes: [.land, .water, .cloud]),
        ClusterMapping(method: .labelFree, classes: [.land, nil, .water]),
    ]
    for report in [EvaluationReport(scenes: scenes, mappings: mappings), EvaluationReport(scenes: scenes, mapping: mappings[0])] {
        let decoded = try JSONDecoder().decode(EvaluationReport.self, from: report.jsonData())
        #expect(decoded == report)
    }
}

@Test func reportTable() {
    let report = EvaluationReport(
        scenes: [
            SceneConfusion(scene: "Spain_7370579", matrix: twoClusterMatrix),
            SceneConfusion(scene: "dry", matrix: ConfusionMatrix(clusterCount: 2, classes: [.land, .water], counts: [10, 0, 0, 0])),
        ],
        mapping: ClusterMapping(method: .hungarian, classes: [.land, .water])
    )
    #expect(report.renderTable() == """
        scene          pixels  accuracy  mean IoU  water IoU  precision  recall     F1
        Spain_7370579     100     0.850     0.735      0.700      0.875   0.778  0.824
        dry                10     1.000     1.000          -          -       -      -
        pooled            110     0.864     0.750      0.700      0.875   0.778  0.824
        mapping (hungarian): 0 -> land, 1 -> water

        """)
}
