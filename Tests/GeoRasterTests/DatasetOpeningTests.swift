import Foundation
import Testing
import GeoRaster
import TestSupport

@Suite struct DatasetOpeningTests {
    let scratch = try! ScratchFolder(prefix: "georaster")

    @Test func missingPathIsNotFound() {
        let error = #expect(throws: GeoRasterError.self) { try Dataset(path: "/nonexistent/x.tif") }
        #expect(error?.code == .notFound)
        #expect(error?.description == "scene '/nonexistent/x.tif' not found; check the path")
    }

    @Test func textFileIsNotRaster() throws {
        let path = scratch.file("notes.tif")
        try "not a raster\n".write(to: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: GeoRasterError.self) { try Dataset(path: path.path) }
        #expect(error?.code == .notRaster)
        #expect(error?.description.hasPrefix("file '\(path.path)' is not a raster GDAL can read") == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test func truncatedTIFFFailsToRead() throws {
        let path = try RasterFixtures.writeScene(scratch.file("whole.tif"), width: 300, height: 300,
                                                 bandNames: ["B1", "B2"]) { band, row, column in
            UInt16(truncatingIfNeeded: band * 7919 + row * 31 + column * 17)
        }
        let bytes = try Data(contentsOf: path)
        let truncated = scratch.file("truncated.tif")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        let error = #expect(throws: GeoRasterError.self) {
            let dataset = try Dataset(path: truncated.path)
            _ = try dataset.read(window: dataset.fullWindow, as: UInt16.self)
        }
        #expect(error?.code == .readFailed || error?.code == .notRaster)
        #expect(error?.description.contains("'\(truncated.path)'") == true)
    }

    @Test func unnamedBandsWithoutPresetListChoices() throws {
        let path = try RasterFixtures.writeScene(scratch.file("rgb.tif"), width: 2, height: 2,
                                                 bandNames: ["", "", ""]) { _, _, _ in UInt16(1) }
        let error = #expect(throws: GeoRasterError.self) { try Dataset(path: path.path) }
        #expect(error?.code == .unnamedBands)
        #expect(error?.description == "scene '\(path.path)' has 3 bands without names, and only 13 (Level-1C) and 12 (Level-2A) bands have a preset; declare them in file order with --bands, e.g. --bands B1,B2,B3 (names: B1, B2, B3, B4, B5, B6, B7, B8, B8A, B9, B10, B11, B12)")
        let declared = try Dataset(path: path.path, bandNames: ["B4", "b03", "B02"])
        #expect(declared.bandNames == ["B4", "B3", "B2"])
        #expect(declared.bandNameSource == .declared)
    }

    @Test(arguments: [
        (13, "B10", 10),
        (13, "B8A", 8),
        (12, "B11", 10),
        (12, "B9", 9),
    ])
    func bandCountPresets(count: Int, band: String, index: Int) throws {
        let names = try #require(Sentinel2Bands.preset(bandCount: count))
        #expect(names.count == count)
        #expect(names[index] == band)
    }

    @Test func geoTransformShiftsByWindow() {
        // A 100 x 100 scene with a tile at (90, 90): the tile's origin is the
        // scene's plus 90 pixels on both axes.
        let window = Window(columnOffset: 90, rowOffset: 90, width: 512, height: 512)
        let shifted = RasterFixtures.transform.shifted(by: window)
        #expect(shifted.originX == 500_000 + 900)
        #expect(shifted.originY == 4_000_000 - 900)
        #expect(shifted.pixelWidth == 10)
        #expect(shifted.pixelHeight == -10)
        let before = RasterFixtures.transform.shifted(by: Window(columnOffset: -3, rowOffset: 0, width: 8, height: 8))
        #expect(before.originX == 500_000 - 30)
    }

    @Test func rotatedTransformShiftsAlongBothAxes() {
        let rotated = GeoTransform(originX: 0, pixelWidth: 8, rowRotation: 6, originY: 0, columnRotation: 6, pixelHeight: -8)
        let shifted = rotated.shifted(by: Window(columnOffset: 2, rowOffset: 1, width: 1, height: 1))
        #expect(shifted.originX == 2 * 8 + 1 * 6)
        #expect(shifted.originY == 2 * 6 - 1 * 8)
        #expect(rotated.pixelSize.x == 10)
    }

    @Test func windowIntersection() {
        let scene = Window.full(width: 100, height: 60)
        #expect(Window(columnOffset: 90, rowOffset: 50, width: 20, height: 20).intersection(with: scene)
            == Window(columnOffset: 90, rowOffset: 50, width: 10, height: 10))
        #expect(Window(columnOffset: -5, rowOffset: -5, width: 5, height: 5).intersection(with: scene) == nil)
    }

    @Test(.enabled(if: SharedData.file(SharedData.sen1floods11Scene) != nil,
                   "needs the real data in ../shared/data or SHORELINE_DATA"))
    func sen1floods11ChipMetadata() throws {
        let url = try #require(SharedData.file(SharedData.sen1floods11Scene))
        let dataset = try Dataset(path: url.path)
        #expect(dataset.width == 512)
        #expect(dataset.height == 512)
        #expect(dataset.bandNames == Sentinel2Bands.level1C)
        #expect(dataset.bandNameSource == .descriptions)
        #expect(dataset.bands.allSatisfy { $0.dataType == .int16 })
        #expect(dataset.bands.allSatisfy { $0.nodata == 0 })
        #expect(dataset.spatialReference?.epsg == 4326)
        #expect(abs((dataset.geoTransform?.pixelSize.x ?? 0) - 0.000089831528412) < 1e-12)
    }
}
