import Foundation
import GeoRaster
import Testing
@testable import Clustering

@Test func accumulatorMatchesOnePassOverValidPixels() {
    // Two windows of two bands; invalid and non-finite samples are skipped.
    var accumulator = BandStatisticsAccumulator(bands: ["B3", "B8"])
    accumulator.add(reflectance: [1, 2, 99, 10, 20, 99], valid: [true, true, false])
    accumulator.add(reflectance: [3, .nan, 30, 40], valid: [true, true])
    let statistics = accumulator.statistics
    // B3: 1, 2, 3 (NaN skipped); B8: 10, 20, 30, 40.
    #expect(abs(statistics.means[0] - 2) < 1e-6)
    #expect(abs(statistics.standardDeviations[0] - 1) < 1e-6)
    #expect(abs(statistics.means[1] - 25) < 1e-6)
    #expect(abs(statistics.standardDeviations[1] - Float((500.0 / 3).squareRoot())) < 1e-4)
    #expect(statistics.pixelCount == 3)
}

@Test func constantBandGetsUnitDeviation() {
    var accumulator = BandStatisticsAccumulator(bands: ["B2"])
    accumulator.add(reflectance: [0.5, 0.5, 0.5], valid: [true, true, true])
    #expect(accumulator.statistics.standardDeviations == [1])
}

@Test func normaliseZeroesInvalidPixels() {
    let statistics = BandStatistics(bands: ["B3", "B8"], means: [1, 10], standardDeviations: [2, 5], pixelCount: 4)
    var values: [Float] = [3, 1, 7, 20, 10, 7]
    statistics.normalise(&values, valid: [true, true, false])
    #expect(values == [1, 0, 0, 2, 0, 0])
}

@Test func logarithmScaleFloorsDarkPixels() {
    var values: [Float] = [1, 0.1, 0, -0.05, .nan]
    InputScale.logarithm.apply(&values, bandCount: 1)
    #expect(values[0] == 0)
    #expect(abs(values[1] - Float(Foundation.log(0.1))) < 1e-6)
    #expect(values[2] == Foundation.log(InputScale.logarithmFloor))
    #expect(values[3] == Foundation.log(InputScale.logarithmFloor))
    #expect(values[4].isNaN)
}

@Test func linearScaleChangesNothing() {
    var values: [Float] = [0.3, -0.1]
    InputScale.linear.apply(&values, bandCount: 1)
    #expect(values == [0.3, -0.1])
}

@Test func spectralShapeDividesEachPixelByItsNorm() {
    // Three pixels of two bands, band-major: (3, 4), (0.6, 0.8) and a dark
    // pixel (0, 0); a fourth pixel with a NaN keeps its values.
    var values: [Float] = [3, 0.6, 0, 1, 4, 0.8, 0, .nan]
    InputScale.spectralShape.apply(&values, bandCount: 2)
    let expected: [Float] = [0.6, 0.6, 0, 1, 0.8, 0.8, 0]
    for (value, wanted) in zip(values.prefix(3) + values[4..<7], expected.prefix(3) + expected[4..<7]) {
        #expect(abs(value - wanted) < 1e-6)
    }
    #expect(values[3] == 1)
    #expect(values[7].isNaN)
}

@Test func spectralShapeIgnoresBrightness() {
    var dim: [Float] = [0.02, 0.05, 0.01]
    var bright = dim.map { $0 * 7 }
    InputScale.spectralShape.apply(&dim, bandCount: 3)
    InputScale.spectralShape.apply(&bright, bandCount: 3)
    for (a, b) in zip(dim, bright) { #expect(abs(a - b) < 1e-6) }
}
