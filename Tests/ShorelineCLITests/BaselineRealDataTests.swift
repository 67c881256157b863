import Foundation
import Testing
import TestSupport
@testable import ShorelineCLI

/// Baselines on the real Sen1Floods11 chip; skipped when the data is absent.
@Suite struct BaselineRealDataTests {
    let scratch = try! ScratchFolder(prefix: "cli-baseline-real")

    /// NDWI > 0 on this chip gives a water IoU of 0.68, as measured with
    /// rasterio and numpy on the same files.
    @Test(.enabled(if: SharedData.file(SharedData.sen1floods11Scene) != nil, "needs the real data"))
    func ndwiOnSen1Floods11Chip() throws {
        let scene = try #require(SharedData.file(SharedData.sen1floods11Scene))
        let label = try #require(SharedData.file(SharedData.sen1floods11Label))
        let masks = scratch.file("ndwi").path
        let baseline = runShoreline(["baseline", "--index", "ndwi", "--output", masks, scene.path])
        #expect(baseline.exitCode == 0, "\(baseline.diagnostics)")
        let evaluation = runShoreline(["evaluate", "--predictions", masks, "--labels", label.path,
                                       "--label-codes", "sen1floods11", "--json"])
        #expect(evaluation.exitCode == 0, "\(evaluation.diagnostics)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(evaluation.output.joined(separator: "\n").utf8)) as? [String: Any])
        let waterIoU = try #require(json["water_iou"] as? Double)
        #expect(abs(waterIoU - 0.676) < 0.005, "got \(waterIoU)")
        #expect(json["pixel_count"] as? Int == 512 * 512 - 99, "the label's 99 no-data pixels are skipped")
    }
}
