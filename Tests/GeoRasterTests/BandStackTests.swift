import Foundation
import Testing
import GeoRaster
import TestSupport

@Suite struct BandStackTests {
    let scratch = try! ScratchFolder(prefix: "bandstack")

    @Test(arguments: [
        ("T32UPU_20230322T101649_B01_20m.tiff", "B1"),
        ("T32UPU_20230322T101649_B8A_20m.tiff", "B8A"),
        ("scene_B12.tif", "B12"),
        ("scene-b03.tif", "B3"),
        ("BAND.tif", nil),
        ("scene_B13.tif", nil),
    ] as [(String, String?)])
    func bandNameFromFileName(fileName: String, band: String?) {
        #expect(BandStack.bandName(ofFile: fileName) == band)
    }

    @Test func folderStacksInBandOrder() throws {
        for (band, value) in [("B8A", 9), ("B02", 2), ("B11", 11), ("B01", 1)] {
            try RasterFixtures.writeScene(scratch.file("S2X_\(band)_20m.tif"), width: 3, height: 2,
                                          bandNames: [""]) { _, _, _ in UInt16(value) }
        }
        let stack = try #require(try BandStack(folder: scratch.url.path))
        #expect(stack.name == "S2X")
        #expect(stack.bandNames == ["B1", "B2", "B8A", "B11"])
        let dataset = try stack.open()
        #expect(dataset.bandNames == ["B1", "B2", "B8A", "B11"])
        #expect(dataset.bandNameSource == .fileNames)
        #expect(dataset.geoTransform == RasterFixtures.transform)
        let block = try dataset.read(bands: ["B11", "B8A"], window: dataset.fullWindow, as: UInt16.self)
        #expect(block[band: 0, row: 1, column: 2] == 11)
        #expect(block[band: 1, row: 0, column: 0] == 9)
    }

    @Test func filesOnDifferentGridsAreRejected() throws {
        let first = try RasterFixtures.writeScene(scratch.file("S_B02.tif"), width: 4, height: 4,
                                                  bandNames: [""]) { _, _, _ in UInt16(1) }
        let second = try RasterFixtures.writeScene(scratch.file("S_B03.tif"), width: 2, height: 2,
                                                   bandNames: [""]) { _, _, _ in UInt16(1) }
        let stack = try BandStack(files: [first.path, second.path])
        let error = #expect(throws: GeoRasterError.self) { try stack.open() }
        #expect(error?.code == .mismatchedBandFiles)
        #expect(error?.description.contains("resample every band to one grid first") == true)
    }

    @Test func repeatedBandIsRejected() throws {
        let error = #expect(throws: GeoRasterError.self) {
            try BandStack(files: ["/x/a_B02.tif", "/x/b_B2.tif"])
        }
        #expect(error?.description == "files '/x/a_B02.tif' and '/x/b_B2.tif' both contain band 'B2'; keep one file per band")
    }

    @Test(.enabled(if: SharedData.file(SharedData.ammerseeFolder) != nil,
                   "needs the real data in ../shared/data or SHORELINE_DATA"))
    func ammerseeFolderStacks() throws {
        let folder = try #require(SharedData.file(SharedData.ammerseeFolder))
        let stack = try #require(try BandStack(folder: folder.path))
        #expect(stack.name == "T32UPU_20230322T101649")
        #expect(stack.bandNames == Sentinel2Bands.level2A)
        let dataset = try stack.open()
        #expect(dataset.width == 580)
        #expect(dataset.height == 747)
        #expect(dataset.spatialReference?.epsg == 32632)
        #expect(dataset.bandNames[10] == "B11")
    }
}
