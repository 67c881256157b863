import Foundation
import Testing
import Tiling
import Evaluation

private let land = SurfaceClass.land.rawValue
private let water = SurfaceClass.water.rawValue
private let cloud = SurfaceClass.cloud.rawValue
private let invalid = SurfaceClass.invalid.rawValue

@Test func confusionCountsPixels() {
    var matrix = ConfusionMatrix(clusterCount: 2)
    matrix.add(
        predictions: [0, 0, 1, 1, 1, 0, 255, 1],
        labels: [land, water, water, water, cloud, invalid, water, land]
    )
    #expect(matrix.counts == [
        1, 1, 0,
        1, 2, 1,
    ])
    #expect(matrix[1, .water] == 2)
    #expect(matrix[0, .invalid] == 0)
    #expect(matrix.pixelCount == 6)
    #expect(matrix.pixelCount(cluster: 1) == 4)
    #expect(matrix.pixelCount(surfaceClass: .water) == 3)
}

@Test func confusionExcludesCloud() {
    var matrix = ConfusionMatrix(clusterCount: 2, classes: [.land, .water])
    matrix.add(predictions: [0, 1, 1, 0], labels: [land, water, cloud, cloud])
    #expect(matrix.counts == [1, 0, 0, 1])
    #expect(matrix[1, .cloud] == 0)
    #expect(matrix.pixelCount == 2)
}

@Test func confusionCustomInvalidPrediction() {
    var matrix = ConfusionMatrix(clusterCount: 3, classes: [.land, .water])
    matrix.add(predictions: [0, 2, 2], labels: [land, water, land], invalidPrediction: 2)
    #expect(matrix.counts == [1, 0, 0, 0, 0, 0])
}

@Test func confusionRestrictedToClasses() {
    var matrix = ConfusionMatrix(clusterCount: 2)
    matrix.add(predictions: [0, 1, 1, 0], labels: [land, water, cloud, cloud])
    let withoutCloud = matrix.restricted(to: [.land, .water])
    var direct = ConfusionMatrix(clusterCount: 2, classes: [.land, .water])
    direct.add(predictions: [0, 1, 1, 0], labels: [land, water, cloud, cloud])
    #expect(withoutCloud == direct)
}

@Test func confusionMergeEqualsOneStream() {
    let tiles: [([UInt8], [UInt8])] = [
        ([0, 1, 2], [land, water, cloud]),
        ([2, 2, 0, 1], [water, water, invalid, land]),
        ([1], [water]),
    ]
    var stream = ConfusionMatrix(clusterCount: 3)
    var perTile: [ConfusionMatrix] = []
    for (predictions, labels) in tiles {
        stream.add(predictions: predictions, labels: labels)
        var single = ConfusionMatrix(clusterCount: 3)
        single.add(predictions: predictions, labels: labels)
        perTile.append(single)
    }
    #expect(ConfusionMatrix.pooled(perTile) == stream)
    #expect(ConfusionMatrix.pooled([]) == nil)
}

@Test func confusionMemoryFlatOverTenThousandTiles() {
    let side = 16
    var predictions = [UInt8](repeating: 0, count: side * side)
    var labels = [UInt8](repeating: 0, count: side * side)
    var matrix = ConfusionMatrix(clusterCount: 15)
    let storageCount = matrix.counts.count
    let storageCapacity = matrix.counts.capacity
    var expectedPixels: Int64 = 0

    for tile in 0..<10_000 {
        for pixel in 0..<(side * side) {
            predictions[pixel] = UInt8((tile + pixel) % 16 == 15 ? 255 : (tile + pixel) % 15)
            labels[pixel] = UInt8((tile * 7 + pixel) % 4)
            if predictions[pixel] != 255 && labels[pixel] != 0 {
                expectedPixels += 1
            }
        }
        matrix.add(predictions: predictions, labels: labels)
    }

    #expect(matrix.counts.count == storageCount)
    #expect(matrix.counts.capacity == storageCapacity)
    #expect(matrix.pixelCount == expectedPixels)
}

@Test func confusionJSONRoundTrip() throws {
    let matrix = ConfusionMatrix(clusterCount: 2, classes: [.water, .land], counts: [1, 2, 3, 4])
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let data = try encoder.encode(matrix)
    #expect(String(data: data, encoding: .utf8) == #"{"classes":["water","land"],"counts":[[1,2],[3,4]]}"#)
    #expect(try JSONDecoder().decode(ConfusionMatrix.self, from: data) == matrix)
}

@Test(arguments: [
    #"{"classes":["land","snow"],"counts":[[1,2]]}"#,
    #"{"classes":["land","land"],"counts":[[1,2]]}"#,
    #"{"classes":["land","water"],"counts":[[1,2,3]]}"#,
    #"{"classes":["land","water"],"counts":[[1,-2]]}"#,
    #"{"classes":["land","water"],"counts":[]}"#,
    #"{"classes":[],"counts":[[]]}"#,
])
func confusionJSONRejectsInvalid(json: String) {
    #expect(throws: DecodingError.self) {
        _ = try JSONDecoder().decode(ConfusionMatrix.self, from: Data(json.utf8))
    }
}
