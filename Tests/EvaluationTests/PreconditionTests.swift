import Foundation
import Testing
import Tiling
import Evaluation

// Programmer mistakes stop the process with a message that prints both sizes.
// Each test runs the mistake in a child process and reads its stderr.

/// Returns the child's stderr as text.
private func standardError(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

@Test func confusionRejectsMismatchedBuffers() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        var matrix = ConfusionMatrix(clusterCount: 2)
        matrix.add(predictions: [0, 1, 1], labels: [1, 2])
    }
    #expect(standardError(result).contains("predictions have 3 pixels but labels have 2"))
}

@Test func confusionRejectsUnknownCluster() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        var matrix = ConfusionMatrix(clusterCount: 2)
        matrix.add(predictions: [0, 7], labels: [1, 2])
    }
    #expect(standardError(result).contains("prediction 7 at pixel 1 is not a cluster id below 2"))
}

@Test func confusionRejectsMergeOfOtherShape() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        var matrix = ConfusionMatrix(clusterCount: 2)
        matrix.merge(ConfusionMatrix(clusterCount: 3, classes: [.land, .water]))
    }
    #expect(standardError(result).contains("cannot merge a 3 x [land, water] matrix into a 2 x [land, water, cloud] matrix"))
}

@Test func classConfusionRejectsShortMapping() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = ClassConfusion(ConfusionMatrix(clusterCount: 3), mapping: ClusterMapping(method: .fixed, classes: [.land, .water]))
    }
    #expect(standardError(result).contains("the mapping covers 2 clusters but the matrix has 3"))
}

@Test func waterIndexRejectsMismatchedBands() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = WaterIndex.ndwi.compute(green: [0.1, 0.2], infrared: [0.3])
    }
    #expect(standardError(result).contains("band buffers have 2 and 1 pixels"))
}

@Test func kMeansRejectsMismatchedBands() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = KMeans.cluster(bands: [[0.1, 0.2], [0.3]])
    }
    #expect(standardError(result).contains("bands have different pixel counts: [2, 1]"))
}
