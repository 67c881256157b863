import Foundation
import Testing
import GeoRaster
import TestSupport
@testable import Tiling

@Suite struct PairingTests {
    let scratch = try! ScratchFolder(prefix: "pairing")

    func touch(_ relativePath: String) throws {
        let url = scratch.file(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data().write(to: url)
    }

    @Test func sen1floods11NamesPairInOneFolder() throws {
        try touch("s11/Spain_1_S2Hand.tif")
        try touch("s11/Spain_1_LabelHand.tif")
        try touch("s11/Bolivia_2_S2Hand.tif")
        let pairing = try ScenePairing.discover(inputs: [scratch.file("s11").path], labels: nil)
        #expect(pairing.pairs.map(\.scene.name) == ["Bolivia_2_S2Hand", "Spain_1_S2Hand"])
        #expect(pairing.pairs[1].label == scratch.file("s11/Spain_1_LabelHand.tif").path)
        #expect(pairing.unlabelledScenes == [scratch.file("s11/Bolivia_2_S2Hand.tif").path])
    }

    @Test func worldfloodsLayoutPairsS2WithGt() throws {
        try touch("train/S2/EMSR1.tif")
        try touch("train/S2/EMSR2.tif")
        try touch("train/gt/EMSR1.tif")
        try touch("train/gt/EMSR9.tif")
        let pairing = try ScenePairing.discover(inputs: [scratch.file("train").path], labels: nil)
        #expect(pairing.pairs.count == 2)
        #expect(pairing.pairs[0].label == scratch.file("train/gt/EMSR1.tif").path)
        #expect(pairing.pairs[1].label == nil)
        #expect(pairing.unmatchedLabels == [scratch.file("train/gt/EMSR9.tif").path])
    }

    @Test func ombriaNamesPairAfterWithMask() throws {
        try touch("ombria/AFTER/S2_after_0001.png")
        try touch("ombria/MASK/S2_mask_0001.png")
        let pairing = try ScenePairing.discover(inputs: [scratch.file("ombria").path], labels: nil)
        #expect(pairing.pairs == [ScenePair(scene: .file(scratch.file("ombria/AFTER/S2_after_0001.png").path),
                                            label: scratch.file("ombria/MASK/S2_mask_0001.png").path)])
    }

    @Test func userRuleComesFirst() throws {
        try touch("x/scene_img.tif")
        try touch("labels/scene_gt.tif")
        let rule = try #require(PairingRule(parsing: "_img=_gt"))
        let pairing = try ScenePairing.discover(inputs: [scratch.file("x").path], labels: scratch.file("labels").path,
                                                rules: [rule])
        #expect(pairing.pairs.first?.label == scratch.file("labels/scene_gt.tif").path)
    }

    @Test func labelFileNeedsOneScene() throws {
        try touch("y/a.tif")
        try touch("y/b.tif")
        try touch("y.label.tif")
        let error = #expect(throws: TilingError.self) {
            try ScenePairing.discover(inputs: [scratch.file("y").path], labels: scratch.file("y.label.tif").path)
        }
        #expect(error == .labelFileWithManyScenes(label: scratch.file("y.label.tif").path, sceneCount: 2))
    }

    @Test func missingInputIsNamed() {
        let error = #expect(throws: TilingError.self) {
            try ScenePairing.discover(inputs: ["/nonexistent/scenes"], labels: nil)
        }
        #expect(error?.description == "input '/nonexistent/scenes' not found; check the path")
    }
}

@Suite struct ManifestTests {
    @Test func csvRoundTripQuotesCommas() throws {
        let scratch = try ScratchFolder(prefix: "manifest")
        let row = ManifestRow(scene: "a,b \"c\"", tileID: "r00000_c00000",
                              window: Window(columnOffset: -3, rowOffset: 0, width: 512, height: 512),
                              validWidth: 10, validHeight: 512, invalidFraction: 0.25, waterFraction: nil,
                              cloudFraction: 0.125, imagePath: "images/x.tif", labelPath: nil)
        let path = scratch.file("manifest.csv").path
        try Manifest.write([row], to: path)
        #expect(try Manifest.read(path) == [row])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("scene,tile_id,column_offset,row_offset,width,height,valid_width,valid_height,invalid_fraction,water_fraction,cloud_fraction,image_path,label_path\n"))
    }
}
