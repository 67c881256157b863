import Foundation
import GeoRaster
import Testing
import TestSupport
@testable import ShorelineCLI

/// `baseline` then `evaluate` on scenes made here, and their input guards.
@Suite struct BaselineEvaluateCommandTests {
    let scratch = try! ScratchFolder(prefix: "cli-baseline")

    /// Writes a scene of bands B2, B3, B4, B8, B11 whose left `waterColumns`
    /// columns are water, and its Sen1Floods11 label (left 10 columns water).
    func writeSceneAndLabel(name: String, width: Int = 30, height: Int = 20, waterColumns: Int) throws {
        let water: [UInt16] = [600, 800, 500, 200, 100]
        let land: [UInt16] = [500, 700, 600, 3000, 2500]
        try writeScene(scratch.file("scenes/\(name)_S2Hand.tif"), width: width, height: height,
                       bandNames: ["B2", "B3", "B4", "B8", "B11"]) { band, _, column in
            column < waterColumns ? water[band] : land[band]
        }
        var codes: [Int16] = []
        for row in 0..<height {
            for column in 0..<width { codes.append(row == 0 && column == 0 ? -1 : column < 10 ? 1 : 0) }
        }
        try RasterWriter.write(samples: codes, width: width, height: height, bandNames: ["label"],
                               georeference: Georeference(geoTransform: GeoTransform(originX: 600_000, pixelWidth: 20, originY: 5_000_000, pixelHeight: -20),
                                                          spatialReference: SpatialReference(epsg: 32632)),
                               to: scratch.file("labels/\(name)_LabelHand.tif").path)
    }

    @Test func ndwiBaselineScoresPerSceneAndPooled() throws {
        try FileManager.default.createDirectory(at: scratch.file("scenes"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: scratch.file("labels"), withIntermediateDirectories: true)
        try writeSceneAndLabel(name: "exact", waterColumns: 10)
        try writeSceneAndLabel(name: "wide", waterColumns: 15)
        let masks = scratch.file("masks").path
        let baseline = runShoreline(["baseline", "--index", "ndwi", "--output", masks, scratch.file("scenes").path])
        #expect(baseline.exitCode == 0, "\(baseline.diagnostics)")
        #expect(baseline.output == ["exact_S2Hand  threshold 0.000  water 33.3 %", "wide_S2Hand  threshold 0.000  water 50.0 %"])
        for suffix in ["_water.tif", "_quicklook.png", "_overlay.png"] {
            #expect(FileManager.default.fileExists(atPath: masks + "/exact_S2Hand" + suffix), "\(suffix) is written")
        }

        let evaluation = runShoreline(["evaluate", "--predictions", masks, "--labels", scratch.file("labels").path,
                                       "--label-codes", "sen1floods11", "--json"])
        #expect(evaluation.exitCode == 0, "\(evaluation.diagnostics)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(evaluation.output.joined(separator: "\n").utf8)) as? [String: Any])
        let scenes = try #require(json["per_scene"] as? [[String: Any]])
        #expect(scenes.map { $0["scene"] as? String } == ["exact_S2Hand", "wide_S2Hand"])
        #expect(scenes[0]["water_iou"] as? Double == 1, "the exact scene's mask equals its label")
        let wideIoU = try #require(scenes[1]["water_iou"] as? Double)
        #expect(abs(wideIoU - 199.0 / 299.0) < 1e-9, "199 labelled water pixels among 299 counted as water; pixel (0, 0) is invalid")
        #expect(json["pixel_count"] as? Int == 2 * (600 - 1), "the label's invalid pixel is not counted")
        #expect(Set(json.keys).isSuperset(of: ["water_iou", "pixel_accuracy", "mean_iou", "per_class", "per_scene", "mapping"]))
    }

    @Test(arguments: ["linear", "spectral-shape"])
    func kMeansBaselineScoresWithEachMapping(inputScale: String) throws {
        try FileManager.default.createDirectory(at: scratch.file("scenes"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: scratch.file("labels"), withIntermediateDirectories: true)
        try writeSceneAndLabel(name: "exact", waterColumns: 10)
        let masks = scratch.file("kmeans-\(inputScale)").path
        let baseline = runShoreline(["baseline", "--kmeans", "2", "--input-scale", inputScale, "--output", masks,
                                     scratch.file("scenes").path])
        #expect(baseline.exitCode == 0, "\(baseline.diagnostics)")
        for suffix in ["_clusters.tif", "_clusters.json", "_water.tif"] {
            #expect(FileManager.default.fileExists(atPath: masks + "/exact_S2Hand" + suffix), "\(suffix) is written")
        }
        for mapping in ["hungarian", "majority", "label-free"] {
            let evaluation = runShoreline(["evaluate", "--predictions", masks, "--labels", scratch.file("labels").path,
                                           "--label-codes", "sen1floods11", "--mapping", mapping])
            #expect(evaluation.exitCode == 0, "\(evaluation.diagnostics)")
            let pooled = try #require(evaluation.output.first { $0.hasPrefix("pooled") })
            #expect(pooled.split(separator: " ").map(String.init) == ["pooled", "599", "1.000", "1.000", "1.000", "1.000", "1.000", "1.000"],
                    "two clean clusters score perfectly under \(mapping)")
        }
    }

    @Test(arguments: [
        (["baseline", "--output", "OUT", "SCENE"],
         "error: baseline needs '--index ndwi|mndwi' or '--kmeans K'; run 'shoreline baseline --help'"),
        (["baseline", "--index", "ndvi", "--output", "OUT", "SCENE"],
         "error: option '--index' must be ndwi or mndwi, got 'ndvi'; run 'shoreline baseline --help'"),
        (["baseline", "--index", "ndwi", "--kmeans", "3", "--output", "OUT", "SCENE"],
         "error: options '--index' and '--kmeans' exclude each other; give one (run 'shoreline baseline --help')"),
        (["baseline", "--index", "ndwi", "--threshold", "high", "--output", "OUT", "SCENE"],
         "error: option '--threshold' must be otsu or a number such as 0.1, got 'high'; run 'shoreline baseline --help'"),
        (["baseline", "--kmeans", "2", "--input-scale", "log", "--output", "OUT", "SCENE"],
         "error: option '--input-scale' must be one of linear, logarithm, spectral-shape, got 'log'; run 'shoreline baseline --help'"),
        (["baseline", "--index", "ndwi", "--input-scale", "logarithm", "--output", "OUT", "SCENE"],
         "error: option '--input-scale' belongs to --kmeans, not --index; run 'shoreline baseline --help'"),
        (["baseline", "--kmeans", "1", "--output", "OUT", "SCENE"],
         "error: option '--kmeans' needs a whole number from 2 to 254, got '1'; run 'shoreline baseline --help'"),
        (["evaluate", "--predictions", "OUT", "--labels", "OUT", "--label-codes", "sen1floods11", "--mapping", "best"],
         "error: option '--mapping' must be hungarian, majority or label-free, got 'best'; run 'shoreline evaluate --help'"),
        (["evaluate", "--predictions", "OUT", "--label-codes", "sen1floods11"],
         "error: option '--labels DIR_OR_FILE' is required; run 'shoreline evaluate --help'"),
    ])
    func badOptionsAreUsageErrors(arguments: [String], message: String) throws {
        let scene = try writeScene(scratch.file("scene.tif"), width: 4, height: 4, bandNames: ["B3", "B8"]) { _, _, _ in 100 }
        let resolved = arguments.map { $0 == "SCENE" ? scene.path : $0 == "OUT" ? scratch.url.path : $0 }
        let result = runShoreline(resolved)
        #expect(result.exitCode == 2)
        #expect(result.errors == [message])
    }

    @Test func outputUnderAFileNamesTheFile() throws {
        let scene = try writeScene(scratch.file("scene.tif"), width: 4, height: 4, bandNames: ["B3", "B8"]) { _, _, _ in 100 }
        let output = scene.appendingPathComponent("masks").path
        let result = runShoreline(["baseline", "--index", "ndwi", "--output", output, scene.path])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: output folder '\(output)' is not writable ('\(scene.path)' is a file, not a folder); choose another --output or fix its permissions"])
    }

    @Test func predictionsFolderWithoutPredictions() throws {
        let empty = scratch.file("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let result = runShoreline(["evaluate", "--predictions", empty.path, "--labels", empty.path, "--label-codes", "sen1floods11"])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: folder '\(empty.path)' holds no predictions (<scene>_clusters.tif or <scene>_water.tif); run 'shoreline segment' or 'shoreline baseline' into it first"])
    }

    @Test func predictionWithoutLabel() throws {
        try FileManager.default.createDirectory(at: scratch.file("scenes"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: scratch.file("labels"), withIntermediateDirectories: true)
        try writeSceneAndLabel(name: "first", waterColumns: 10)
        try writeSceneAndLabel(name: "second", waterColumns: 10)
        try FileManager.default.removeItem(at: scratch.file("labels/second_LabelHand.tif"))
        let masks = scratch.file("masks").path
        #expect(runShoreline(["baseline", "--index", "mndwi", "--output", masks, scratch.file("scenes").path]).exitCode == 0)
        let result = runShoreline(["evaluate", "--predictions", masks, "--labels", scratch.file("labels").path, "--label-codes", "sen1floods11"])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: no label in '\(scratch.file("labels").path)/first_LabelHand.tif' matches scene 'second_S2Hand'; name labels like their scenes (<id>_S2Hand with <id>_LabelHand, S2_after_<n> with S2_mask_<n>, or the same name)"])
    }

    @Test func sceneWithoutIndexBands() throws {
        let scene = try writeScene(scratch.file("rgb.tif"), width: 4, height: 4, bandNames: ["B2", "B3", "B4"]) { _, _, _ in 100 }
        let result = runShoreline(["baseline", "--index", "mndwi", "--output", scratch.file("out").path, scene.path])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: scene '\(scene.path)' has bands B2,B3,B4 but this needs B3 and B11 for MNDWI; declare the band names with --bands"])
    }

    /// Two scenes whose cluster ids mean opposite classes: one pooled
    /// Hungarian mapping gets one scene wrong, a mapping per scene gets both right.
    @Test func perSceneMappingForSceneLocalIDs() throws {
        try FileManager.default.createDirectory(at: scratch.file("scenes"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: scratch.file("labels"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: scratch.file("ids"), withIntermediateDirectories: true)
        for (name, waterID) in [("first", UInt8(0)), ("second", UInt8(1))] {
            try writeSceneAndLabel(name: name, waterColumns: 10)
            let scene = try Dataset(path: scratch.file("scenes/\(name)_S2Hand.tif").path)
            let ids = (0..<(30 * 20)).map { $0 % 30 < 10 ? waterID : 1 - waterID }
            try RasterWriter.writeMask(ids, like: scene, nodata: 255, to: scratch.file("ids/\(name)_S2Hand_clusters.tif").path)
        }
        let arguments = ["evaluate", "--predictions", scratch.file("ids").path, "--labels", scratch.file("labels").path,
                         "--label-codes", "sen1floods11"]
        let pooled = runShoreline(arguments)
        let perScene = runShoreline(arguments + ["--per-scene-mapping"])
        #expect(pooled.exitCode == 0, "\(pooled.diagnostics)")
        #expect(perScene.exitCode == 0, "\(perScene.diagnostics)")
        let pooledRow = try #require(pooled.output.first { $0.hasPrefix("pooled") })
        let perSceneRow = try #require(perScene.output.first { $0.hasPrefix("pooled") })
        #expect(pooledRow.split(separator: " ")[2] == "0.500", "\(pooledRow)")
        #expect(perSceneRow.split(separator: " ")[2] == "1.000", "\(perSceneRow)")
    }
}
