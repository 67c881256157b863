import Foundation
import Testing
@testable import Evaluation

/// One pixel of a hand-computed index: green, infrared, whether the input is
/// valid, and the expected value (nil: invalid).
struct IndexPixel: Sendable, CustomTestStringConvertible {
    var green: Float
    var infrared: Float
    var isValid: Bool
    var expected: Float?

    var testDescription: String {
        "green \(green), infrared \(infrared), valid \(isValid)"
    }
}

private let indexPixels: [IndexPixel] = [
    IndexPixel(green: 0.3, infrared: 0.1, isValid: true, expected: 0.5),
    IndexPixel(green: 0.1, infrared: 0.3, isValid: true, expected: -0.5),
    IndexPixel(green: 0.06, infrared: 0.02, isValid: true, expected: 0.5),
    IndexPixel(green: 0.2, infrared: 0.2, isValid: true, expected: 0),
    IndexPixel(green: 0.4, infrared: 0, isValid: true, expected: 1),
    // Denominator 0: undefined, so invalid.
    IndexPixel(green: 0, infrared: 0, isValid: true, expected: nil),
    IndexPixel(green: 0.2, infrared: -0.2, isValid: true, expected: nil),
    // Invalid input stays invalid whatever its values.
    IndexPixel(green: 0.3, infrared: 0.1, isValid: false, expected: nil),
    IndexPixel(green: .nan, infrared: 0.1, isValid: true, expected: nil),
    IndexPixel(green: .infinity, infrared: 0.1, isValid: true, expected: nil),
]

@Test(arguments: WaterIndex.allCases, indexPixels)
func waterIndexPerPixel(index: WaterIndex, pixel: IndexPixel) {
    let result = index.compute(green: [pixel.green], infrared: [pixel.infrared], validity: [pixel.isValid])
    if let expected = pixel.expected {
        #expect(result.validity == [true])
        #expect(abs(result.values[0] - expected) < 1e-6)
    } else {
        #expect(result.validity == [false])
        #expect(result.values[0].isNaN)
    }
}

@Test func waterIndexBands() {
    #expect(WaterIndex.ndwi.bandNames == ("B3", "B8"))
    #expect(WaterIndex.mndwi.bandNames == ("B3", "B11"))
}

@Test func waterIndexWithoutValidityMask() {
    let result = WaterIndex.mndwi.compute(green: [0.3, 0, 0.1], infrared: [0.1, 0, 0.3])
    #expect(result.validity == [true, false, true])
    #expect(result.validCount == 2)
    #expect(result.validValues.count == 2)
    #expect(abs(result.validValues[0] - 0.5) < 1e-6)
    #expect(abs(result.validValues[1] + 0.5) < 1e-6)
}

@Test func waterMaskFromThreshold() {
    let index = MaskedValues(values: [0.5, 0, -0.2, .nan, 0.01], validity: [true, true, true, false, true])
    #expect(index.waterMask(threshold: 0) == [1, 0, 0, 255, 1])
    #expect(index.waterMask(threshold: 0.1) == [1, 0, 0, 255, 0])
    #expect(WaterIndexThreshold.fixed(0.25).value(for: index) == 0.25)
}

@Test func otsuSplitsGapBetweenModes() {
    // Two modes in bins 0-2 and 7-9 of [0, 1]; bins 3-6 are empty, so every
    // split in the gap ties and the threshold is its middle, 0.5.
    let histogram = Histogram(lowerBound: 0, upperBound: 1, counts: [5, 10, 5, 0, 0, 0, 0, 5, 10, 5])
    let threshold = try! #require(OtsuThreshold.threshold(of: histogram))
    #expect(abs(threshold - 0.5) < 1e-6)
}

@Test func otsuUnequalModes() {
    // One bin per mode: any split between them separates the modes, so the
    // threshold is the middle of the gap whatever the weights.
    let histogram = Histogram(lowerBound: -1, upperBound: 1, counts: [0, 30, 0, 0, 0, 0, 0, 0, 10, 0])
    let threshold = try! #require(OtsuThreshold.threshold(of: histogram))
    // Bin 1 ends at -0.6 and bin 8 starts at 0.6.
    #expect(abs(threshold - 0) < 1e-6)
}

@Test func otsuOnBimodalGaussians() throws {
    // Two equal Gaussians at -0.4 (land) and 0.3 (water), sd 0.08: by
    // symmetry the between-class variance peaks at the midpoint, -0.05.
    var generator = SplitMix64(seed: 42)
    func gaussian(mean: Float, deviation: Float) -> Float {
        // Box-Muller transform.
        let first = Float(generator.next() >> 40 + 1) / Float(1 << 24)
        let second = Float(generator.next() >> 40) / Float(1 << 24)
        return mean + deviation * (-2 * log(first)).squareRoot() * cos(2 * .pi * second)
    }
    let values = (0..<20_000).map { $0 % 2 == 0 ? gaussian(mean: -0.4, deviation: 0.08) : gaussian(mean: 0.3, deviation: 0.08) }
    let index = MaskedValues(values: values, validity: Array(repeating: true, count: values.count))
    let threshold = try #require(WaterIndexThreshold.otsu.value(for: index))
    #expect(abs(threshold - -0.05) < 0.05, "threshold \(threshold)")

    let mask = index.waterMask(threshold: threshold)
    let waterCount = mask.filter { $0 == WaterMaskValue.water }.count
    #expect(abs(waterCount - 10_000) < 50, "water pixels \(waterCount)")
}

@Test func otsuIgnoresInvalidValues() throws {
    // The invalid 100s would drag the threshold up if counted.
    let values: [Float] = [-0.5, -0.5, -0.4, 0.4, 0.5, 0.5, 100, 100, 100]
    let validity = [true, true, true, true, true, true, false, false, false]
    let threshold = try #require(WaterIndexThreshold.otsu(binCount: 100).value(for: MaskedValues(values: values, validity: validity)))
    #expect(threshold > -0.4, "threshold \(threshold)")
    #expect(threshold < 0.4, "threshold \(threshold)")
}

@Test func otsuUndefinedWithoutRange() {
    let constant = MaskedValues(values: [0.2, 0.2, 0.2], validity: [true, true, true])
    #expect(WaterIndexThreshold.otsu.value(for: constant) == nil)
    let allInvalid = MaskedValues(values: [.nan, .nan], validity: [false, false])
    #expect(WaterIndexThreshold.otsu.value(for: allInvalid) == nil)
    #expect(OtsuThreshold.threshold(of: Histogram(lowerBound: 0, upperBound: 1, counts: [0, 7, 0])) == nil)
}

@Test func histogramBinsValues() throws {
    // The invalid 7 and the infinite value are left out.
    let values = MaskedValues(values: [0, 0.1, 0.5, 0.99, 1, 7, .infinity], validity: [true, true, true, true, true, false, true])
    let histogram = try #require(Histogram(values, binCount: 4))
    #expect(histogram.lowerBound == 0)
    #expect(histogram.upperBound == 1)
    #expect(histogram.counts == [2, 0, 1, 2])
    #expect(histogram.upperEdge(of: 1) == 0.5)
}
