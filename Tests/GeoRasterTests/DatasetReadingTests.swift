import Foundation
import Testing
import GeoRaster
import TestSupport

@Suite struct DatasetReadingTests {
    let scratch = try! ScratchFolder(prefix: "georaster")

    @Test func boundlessWindowPadsWithInvalid() throws {
        // A 10 x 10 scene with nodata 5: a window starting at column -3 must
        // mark its 3 outside columns invalid, not read them as 0-valued data.
        let path = try RasterFixtures.writeScene(scratch.file("nodata5.tif"), width: 10, height: 10,
                                                 bandNames: ["B1"], nodata: 5) { _, row, column in
            UInt16(row == 4 && column == 2 ? 5 : 100 + row * 10 + column)
        }
        let dataset = try Dataset(path: path.path)
        let window = Window(columnOffset: -3, rowOffset: 0, width: 8, height: 10)
        let block = try dataset.read(bands: ["B1"], window: window, as: UInt16.self, fill: 0)

        for row in 0..<10 {
            for column in 0..<3 {
                #expect(!block.validity[row * 8 + column], "padding at row \(row), column \(column)")
                #expect(block[band: 0, row: row, column: column] == 0)
            }
        }
        #expect(block[band: 0, row: 0, column: 3] == 100, "scene column 0 lands at window column 3")
        #expect(block[band: 0, row: 9, column: 7] == 194)
        #expect(!block.validity[4 * 8 + 5], "the nodata pixel at scene (4, 2) is invalid")
        #expect(block.validity[4 * 8 + 6])
        #expect(block.validCount == 5 * 10 - 1)
    }

    @Test func windowOutsideSceneIsAllInvalid() throws {
        let path = try RasterFixtures.writeScene(scratch.file("small.tif"), width: 4, height: 4,
                                                 bandNames: ["B1"]) { _, _, _ in UInt16(7) }
        let dataset = try Dataset(path: path.path)
        let block = try dataset.read(window: Window(columnOffset: 10, rowOffset: 10, width: 3, height: 2),
                                     as: UInt16.self)
        #expect(block.validCount == 0)
        #expect(block.samples.allSatisfy { $0 == 0 })
    }

    @Test func zeroInAllBandsIsInvalid() throws {
        let path = try RasterFixtures.writeScene(scratch.file("corners.tif"), width: 3, height: 1,
                                                 bandNames: ["B3", "B8"]) { band, _, column in
            // Column 0: 0 in both bands (fill); column 1: 0 in one band only.
            UInt16(column == 0 ? 0 : (column == 1 && band == 0 ? 0 : 900))
        }
        let dataset = try Dataset(path: path.path)
        let block = try dataset.read(window: dataset.fullWindow, as: UInt16.self)
        #expect(block.validity == [false, true, true])
        let kept = try dataset.read(window: dataset.fullWindow, as: UInt16.self,
                                    rule: ValidityRule(zeroInAllBandsIsInvalid: false))
        #expect(kept.validity == [true, true, true])
    }

    /// Pixels of a 2-band scene with nodata 7: 0 in both bands, nodata in
    /// the first band, nodata in the second, 0 in one band only, and data.
    static let rulePixels: [[UInt16]] = [[0, 0], [7, 900], [900, 7], [0, 900], [300, 900]]

    @Test(arguments: [
        (ValidityRule(), [false, false, false, true, true]),
        (ValidityRule(zeroInAllBandsIsInvalid: false), [true, false, false, true, true]),
        (ValidityRule(nodataInAnyBandIsInvalid: false), [false, true, true, true, true]),
        (ValidityRule(zeroInAllBandsIsInvalid: false, nodataInAnyBandIsInvalid: false), [true, true, true, true, true]),
    ])
    func nodataAndZeroRulesCombine(rule: ValidityRule, expected: [Bool]) throws {
        let path = try RasterFixtures.writeScene(scratch.file("rules-\(expected.map { $0 ? "1" : "0" }.joined()).tif"), width: 5, height: 1,
                                                 bandNames: ["B3", "B8"], nodata: 7) { band, _, column in
            Self.rulePixels[column][band]
        }
        let dataset = try Dataset(path: path.path)
        let block = try dataset.read(window: dataset.fullWindow, as: UInt16.self, fill: 1, rule: rule)
        #expect(block.validity == expected)
        for pixel in expected.indices where !expected[pixel] {
            #expect(block[band: 0, row: 0, column: pixel] == 1, "invalid pixel \(pixel) contains the fill value in band 0")
            #expect(block[band: 1, row: 0, column: pixel] == 1, "invalid pixel \(pixel) contains the fill value in band 1")
        }
    }

    /// The rule pixels of `nodataAndZeroRulesCombine` in every sample type,
    /// with a nodata value whose bits are all ones where the type allows
    /// (255, 65535, -1 as signed) and a negative sample in the signed types.
    /// Pixels: 0 in both bands, nodata in either band, 0 in one band, data.
    /// The all-zero rule applies to integer scenes only.
    @Test(arguments: [
        (RasterDataType.byte, 255.0, [false, false, false, true, true]),
        (.uInt16, 65_535, [false, false, false, true, true]),
        (.int16, -1, [false, false, false, true, true]),
        (.uInt32, 4_294_967_295, [false, false, false, true, true]),
        (.int32, -1, [false, false, false, true, true]),
        (.float32, -9_999, [true, false, false, true, true]),
        (.float64, -9_999, [true, false, false, true, true]),
    ])
    func nodataAndZeroRulesInEveryType(type: RasterDataType, nodata: Double, expected: [Bool]) throws {
        let validity: [Bool]
        switch type {
        case .byte: validity = try readRulePixels(UInt8.self, nodata: nodata)
        case .uInt16: validity = try readRulePixels(UInt16.self, nodata: nodata)
        case .int16: validity = try readRulePixels(Int16.self, nodata: nodata)
        case .uInt32: validity = try readRulePixels(UInt32.self, nodata: nodata)
        case .int32: validity = try readRulePixels(Int32.self, nodata: nodata)
        case .float32: validity = try readRulePixels(Float.self, nodata: nodata)
        case .float64: validity = try readRulePixels(Double.self, nodata: nodata)
        }
        #expect(validity == expected)
    }

    /// Writes the rule pixels as `Sample` with `nodata`, reads them back as
    /// `Sample` with the standard rule and returns their validity.
    func readRulePixels<Sample: RasterSample>(_ type: Sample.Type, nodata: Double) throws -> [Bool] {
        let data: Double = nodata < 0 ? -3 : 3
        let pixels: [[Double]] = [[0, 0], [nodata, 200], [200, nodata], [0, 200], [data, 200]]
        let path = try RasterFixtures.writeScene(scratch.file("rules-\(Sample.rasterDataType).tif"), width: 5, height: 1,
                                                 bandNames: ["B3", "B8"], nodata: nodata) { band, _, column in
            Sample(nodata: pixels[column][band])!
        }
        let dataset = try Dataset(path: path.path)
        return try dataset.read(window: dataset.fullWindow, as: Sample.self).validity
    }

    @Test func bandsReadInRequestedOrder() throws {
        let names = Sentinel2Bands.level2A
        let path = try RasterFixtures.writeScene(scratch.file("l2a.tif"), width: 2, height: 2,
                                                 bandNames: names.map { _ in "" }) { band, _, _ in
            UInt16(1000 + band)
        }
        let dataset = try Dataset(path: path.path)
        #expect(dataset.bandNameSource == .bandCountPreset)
        #expect(dataset.bandNames[10] == "B11", "B11 is the 11th band of a 12-band L2A stack")
        let block = try dataset.read(bands: ["B11", "B2", "B12"], window: dataset.fullWindow, as: UInt16.self)
        #expect(block[band: 0, row: 0, column: 0] == 1010)
        #expect(block[band: 1, row: 0, column: 0] == 1001)
        #expect(block[band: 2, row: 1, column: 1] == 1011)
    }

    @Test func reflectanceSubtractsBaselineOffset() throws {
        let path = try RasterFixtures.writeScene(scratch.file("baseline.tif"), width: 1, height: 1,
                                                 bandNames: ["B3", "B8"],
                                                 metadata: ["PROCESSING_BASELINE": "05.09"]) { band, _, _ in
            UInt16(band == 0 ? 1500 : 3000)
        }
        let dataset = try Dataset(path: path.path)
        #expect(dataset.radiometricOffset == 1000)
        let block = try dataset.readReflectance(bands: ["B3", "B8"], window: dataset.fullWindow)
        #expect(abs(block.samples[0] - 0.05) < 1e-6)
        #expect(abs(block.samples[1] - 0.2) < 1e-6)
        let declared = try dataset.readReflectance(bands: ["B3"], window: dataset.fullWindow,
                                                   scale: ReflectanceScale(offset: 0))
        #expect(abs(declared.samples[0] - 0.15) < 1e-6)
    }

    @Test func unknownBandNamesChoices() throws {
        let path = try RasterFixtures.writeScene(scratch.file("named.tif"), width: 1, height: 1,
                                                 bandNames: ["B3", "B8"]) { _, _, _ in UInt16(1) }
        let dataset = try Dataset(path: path.path)
        let error = #expect(throws: GeoRasterError.self) {
            try dataset.read(bands: ["B11"], window: dataset.fullWindow, as: UInt16.self)
        }
        #expect(error?.description == "band 'B11' not found in scene '\(path.path)'; choose from its bands: B3, B8")
    }
}

@Suite struct ValidFractionTests {
    let scratch = try! ScratchFolder(prefix: "validfraction")

    @Test func wholeAndSampledEstimates() throws {
        // The left quarter of the columns is nodata.
        let path = try RasterFixtures.writeScene(scratch.file("quarter.tif"), width: 600, height: 600,
                                                 bandNames: ["B1"], nodata: 0) { _, _, column in
            UInt16(column < 150 ? 0 : 1)
        }
        let dataset = try Dataset(path: path.path)
        let whole = try dataset.validFraction()
        #expect(!whole.isSampled)
        #expect(whole.fraction == 0.75)
        #expect(whole.pixelsRead == 360_000)

        let sampled = try dataset.validFraction(maximumPixels: 100_000)
        #expect(sampled.isSampled)
        #expect(sampled.method == "64 windows of 256 x 256 px")
        // Window columns start at 0, 49, 98, … 344, so they hold 150 + 101 +
        // 52 + 3 nodata columns of 8 x 256.
        #expect(sampled.fraction == 1 - 306.0 / 2048)
    }
}

@Suite struct FloatNodataTests {
    let scratch = try! ScratchFolder(prefix: "floatnodata")

    @Test func nanNodataIsInvalid() throws {
        let path = scratch.file("float.tif").path
        let samples: [Float] = [0.1, .nan, 0.3, 0.4]
        try RasterWriter.write(samples: samples, width: 2, height: 2, bandNames: ["B3"],
                               georeference: Georeference(geoTransform: RasterFixtures.transform, spatialReference: nil),
                               nodata: .nan, to: path)
        let dataset = try Dataset(path: path)
        let block = try dataset.read(window: dataset.fullWindow, as: Float.self)
        #expect(block.validity == [true, false, true, true])
        #expect(block.samples[1] == 0, "an invalid sample holds the fill value")
    }
}
