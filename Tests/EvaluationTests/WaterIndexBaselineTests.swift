import Foundation
import GeoRaster
import Testing
import TestSupport
@testable import Evaluation

@Test func streamingHistogramClampsToEdgeBins() {
    var histogram = StreamingHistogram(lowerBound: -1, upperBound: 1, binCount: 4)
    histogram.add(MaskedValues(values: [-3, -1, -0.4, 0, 0.6, 1, 7, .nan, 0.2],
                               validity: [true, true, true, true, true, true, true, true, false]))
    #expect(histogram.counts == [2, 1, 1, 3], "bins of width 0.5 from -1; -3 joins the first bin, 7 the last; NaN and invalid values are skipped")
}

/// Two modes around -0.5 and 0.5 with nothing between -0.25 and 0.25: Otsu
/// splits in the middle of the gap, whether the values come in one strip or many.
@Test(arguments: [1, 7, 100])
func otsuOfStreamedBimodalHistogram(stripCount: Int) throws {
    var values: [Float] = []
    for step in 0..<200 {
        let offset = Float(step % 50) / 200
        values.append(-0.5 - 0.25 + offset * 2)
        values.append(0.5 - 0.25 + offset * 2)
    }
    var histogram = StreamingHistogram(lowerBound: -1, upperBound: 1, binCount: 512)
    let stripLength = (values.count + stripCount - 1) / stripCount
    for start in stride(from: 0, to: values.count, by: stripLength) {
        let strip = Array(values[start..<min(start + stripLength, values.count)])
        histogram.add(MaskedValues(values: strip, validity: strip.map { _ in true }))
    }
    let threshold = try #require(OtsuThreshold.threshold(of: histogram.histogram))
    #expect(abs(threshold) < 0.01, "the gap between the modes is centred on 0, got \(threshold)")
}

/// Runs a baseline and joins its strips into the mask of the whole scene,
/// checking that the strips arrive top to bottom and span the scene's width.
func wholeMask(_ baseline: WaterIndexBaseline, _ dataset: Dataset,
               progress: (Int, Int) -> Void = { _, _ in }) throws -> (values: [UInt8], result: WaterIndexResult) {
    var values: [UInt8] = []
    let result = try baseline.segment(dataset, progress: progress) { window, strip in
        #expect(window.rowOffset * dataset.width == values.count, "strips arrive in order")
        #expect(window.columnOffset == 0)
        #expect(window.width == dataset.width)
        #expect(strip.count == window.pixelCount)
        values += strip
    }
    return (values, result)
}

@Suite struct WaterIndexBaselineTests {
    let scratch = try! ScratchFolder(prefix: "baseline")

    /// A scene taller than one strip: the left 40 % is water, the top rows
    /// of the right 10 % are invalid.
    func scene(width: Int, height: Int) throws -> Dataset {
        let url = try writeWaterScene(scratch.file("scene-\(width)x\(height).tif"), width: width, height: height,
                                      isWater: { _, column in column * 10 < width * 4 },
                                      isInvalid: { row, column in column * 10 >= width * 9 && row < 10 })
        return try Dataset(path: url.path)
    }

    func expectedMask(width: Int, height: Int) -> [UInt8] {
        (0..<(width * height)).map { pixel in
            let (row, column) = (pixel / width, pixel % width)
            if column * 10 >= width * 9 && row < 10 { return WaterMaskValue.invalid }
            return column * 10 < width * 4 ? WaterMaskValue.water : WaterMaskValue.notWater
        }
    }

    @Test(arguments: [
        (WaterIndex.ndwi, WaterIndexThreshold.fixed(0)),
        (.mndwi, .fixed(0)),
        (.ndwi, .otsu(binCount: 512)),
        (.mndwi, .otsu(binCount: 512)),
    ])
    func maskSeparatesWaterFromLand(index: WaterIndex, threshold: WaterIndexThreshold) throws {
        let dataset = try scene(width: 37, height: 300)
        var reports: [(Int, Int)] = []
        let (values, mask) = try wholeMask(WaterIndexBaseline(index: index, threshold: threshold), dataset) { reports.append(($0, $1)) }
        #expect(values == expectedMask(width: 37, height: 300))
        #expect(mask.validCount == 37 * 300 - 3 * 10, "columns 34 to 36 of rows 0 to 9 are invalid")
        #expect(reports.last.map { $0.0 == $0.1 } == true, "progress ends at its total")
        if case .otsu = threshold {
            let value = try #require(mask.threshold)
            #expect(value > -0.6, "Otsu falls above the land index values, got \(value)")
            #expect(value < 0.6, "Otsu falls below the water index values, got \(value)")
        }
    }

    @Test func otsuWithOneValueMarksNoWater() throws {
        let url = try writeWaterScene(scratch.file("flat.tif"), width: 8, height: 8, isWater: { _, _ in true })
        let (values, mask) = try wholeMask(WaterIndexBaseline(index: .ndwi, threshold: .otsu(binCount: 512)), try Dataset(path: url.path))
        #expect(mask.threshold == nil)
        #expect(values.allSatisfy { $0 == WaterMaskValue.notWater })
    }

    @Test func missingBandIsNamed() throws {
        let url = scratch.file("rgb.tif")
        try RasterWriter.write(samples: [UInt16](repeating: 100, count: 3 * 4), width: 2, height: 2, bandNames: ["B2", "B3", "B4"],
                               georeference: sceneGeoreference, to: url.path)
        let error = #expect(throws: EvaluationError.self) {
            try WaterIndexBaseline(index: .mndwi, threshold: .fixed(0)).segment(try Dataset(path: url.path)) { _, _ in }
        }
        #expect(error?.description == "scene '\(url.path)' has bands B2,B3,B4 but this needs B3 and B11 for MNDWI; declare the band names with --bands")
    }
}
