import Foundation
import Testing
import GeoRaster
import TestSupport

@Suite struct RasterWriterTests {
    let scratch = try! ScratchFolder(prefix: "georaster")

    @Test func maskedGeoTIFFRoundTrip() throws {
        let path = scratch.file("tile.tif").path
        let validity = (0..<16).map { $0 % 4 != 3 }
        let samples = (0..<32).map { Int16($0 - 8) }
        let georeference = Georeference(geoTransform: RasterFixtures.transform, spatialReference: RasterFixtures.utm31)
        try RasterWriter.write(samples: samples, width: 4, height: 4, bandNames: ["B3", "B8"],
                               georeference: georeference, validity: validity, to: path)

        let dataset = try Dataset(path: path)
        #expect(dataset.hasDatasetMask)
        #expect(dataset.bandNames == ["B3", "B8"])
        #expect(dataset.geoTransform == RasterFixtures.transform)
        #expect(dataset.spatialReference?.epsg == 32631)
        let block = try dataset.read(window: dataset.fullWindow, as: Int16.self,
                                     rule: ValidityRule(zeroInAllBandsIsInvalid: false))
        #expect(block.validity == validity)
        #expect(block[band: 1, row: 0, column: 0] == 8)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.contains("partial") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    @Test(arguments: [(16, false), (15, true), (0, true)])
    func maskBandOnlyWithInvalidPixels(validCount: Int, hasMask: Bool) throws {
        // A mask band is written only when some pixel is invalid; without
        // one, the tile reads back fully valid.
        let path = scratch.file("tile-\(validCount).tif").path
        let validity = (0..<16).map { $0 < validCount }
        let samples = (0..<32).map { UInt16(100 + $0) }
        let georeference = Georeference(geoTransform: RasterFixtures.transform, spatialReference: RasterFixtures.utm31)
        try RasterWriter.write(samples: samples, width: 4, height: 4, bandNames: ["B3", "B8"],
                               georeference: georeference, nodata: 0, validity: validity, to: path)

        let dataset = try Dataset(path: path)
        #expect(dataset.hasDatasetMask == hasMask)
        let block = try dataset.read(window: dataset.fullWindow, as: UInt16.self)
        #expect(block.validity == validity)
        #expect(block.validCount == validCount)
    }

    @Test func maskCOGGeoreferencedLikeScene() throws {
        let scenePath = try RasterFixtures.writeScene(scratch.file("scene.tif"), width: 5, height: 3,
                                                      bandNames: ["B3", "B8"]) { _, _, _ in UInt16(1) }
        let scene = try Dataset(path: scenePath.path)
        let maskPath = scratch.file("water.tif").path
        let values: [UInt8] = (0..<15).map { UInt8($0 % 3) }
        try RasterWriter.writeMask(values, like: scene, nodata: 0, to: maskPath)

        let mask = try Dataset(path: maskPath, bandNames: ["class"])
        #expect(mask.width == 5)
        #expect(mask.height == 3)
        #expect(mask.geoTransform == scene.geoTransform)
        #expect(mask.spatialReference?.epsg == 32631)
        #expect(mask.bands[0].nodata == 0)
        #expect(mask.bands[0].dataType == .byte)
        let block = try mask.read(window: mask.fullWindow, as: UInt8.self, fill: 0,
                                  rule: ValidityRule(zeroInAllBandsIsInvalid: false, nodataInAnyBandIsInvalid: false))
        #expect(block.samples == values)
    }

    @Test func pngFromRGBBytes() throws {
        let path = scratch.file("quicklook.png").path
        let rgb: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]
        try RasterWriter.writePNG(rgb: rgb, width: 2, height: 2, to: path)
        let png = try Dataset(path: path, bandNames: ["red", "green", "blue"])
        #expect(png.driverName == "PNG")
        let block = try png.read(window: png.fullWindow, as: UInt8.self,
                                 rule: ValidityRule(zeroInAllBandsIsInvalid: false))
        #expect(Array(block.band(0)) == [255, 0, 0, 10])
        #expect(Array(block.band(2)) == [0, 0, 255, 30])
    }

    @Test func quicklookPNGOfNamedBands() throws {
        let scenePath = try RasterFixtures.writeScene(scratch.file("rgb.tif"), width: 6, height: 4,
                                                      bandNames: ["B2", "B3", "B4"]) { band, row, column in
            UInt16(100 * (band + 1) + row * 6 + column)
        }
        let scene = try Dataset(path: scenePath.path)
        let path = scratch.file("rgb.png").path
        try scene.writeQuicklook(bands: ["B4", "B3", "B2"], to: path)
        let png = try Dataset(path: path, bandNames: ["red", "green", "blue"])
        #expect(png.width == 6)
        #expect(png.height == 4)
        let block = try png.read(window: png.fullWindow, as: UInt8.self, rule: ValidityRule(zeroInAllBandsIsInvalid: false))
        #expect(block[band: 0, row: 0, column: 0] == 0, "the darkest pixel is below the 2nd percentile")
        #expect(block[band: 0, row: 3, column: 5] == 255, "the brightest pixel is above the 98th percentile")
    }

    @Test func quicklookStretchesPercentiles() throws {
        let samples: [Float] = (0..<100).map(Float.init) + (0..<100).map(Float.init) + (0..<100).map { Float(99 - $0) }
        let block = RasterBlock(window: .full(width: 10, height: 10), bandNames: ["B4", "B3", "B2"],
                                samples: samples, validity: [Bool](repeating: true, count: 100))
        let rgb = Quicklook.rgb(block)
        #expect(rgb[0] == 0, "the minimum is below the 2nd percentile")
        #expect(rgb[99 * 3] == 255, "the maximum is above the 98th percentile")
        #expect(rgb[2] == 255, "the blue band runs the other way")
    }

    @Test func unwritableFolderFails() throws {
        let error = #expect(throws: GeoRasterError.self) {
            try RasterWriter.write(samples: [UInt8(1)], width: 1, height: 1, bandNames: ["a"],
                                   georeference: Georeference(geoTransform: nil, spatialReference: nil),
                                   to: "/nonexistent-folder/tile.tif")
        }
        #expect(error?.code == .writeFailed)
        #expect(error?.description.contains("'/nonexistent-folder/tile.tif'") == true)
    }
}
