import Testing
import Tiling
@testable import Evaluation

@Test(arguments: [
    (0.0, 1.0, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    (1.0, 300.0, [0.0, 100, 200, 300]),
    (-0.37, -0.02, [-0.4, -0.3, -0.2, -0.1, 0.0]),
    (5.0, 5.0, [4.4, 4.6, 4.8, 5.0, 5.2, 5.4, 5.6]),
])
func plotTicksAreNiceAndCoverTheRange(minimum: Double, maximum: Double, expected: [Double]) {
    let ticks = LinePlot.ticks(minimum: minimum, maximum: maximum)
    #expect(ticks.count == expected.count)
    #expect(zip(ticks, expected).allSatisfy { abs($0 - $1) < 1e-9 }, "\(ticks)")
}

@Test(arguments: [(0.2, 0.2, "0.2"), (-0.0, 0.1, "0.0"), (300.0, 100.0, "300"), (-0.15, 0.05, "-0.15")])
func plotTickLabels(value: Double, step: Double, expected: String) {
    #expect(LinePlot.format(value, step: step) == expected)
}

/// A falling curve starts near the top left of the plotting area and ends
/// near the bottom right, in the curve's colour.
@Test func plotDrawsTheCurve() {
    let plot = LinePlot(width: 320, height: 200)
    let pixels = plot.render((1...50).map { (Double($0), 1 / Double($0)) })
    #expect(pixels.count == 320 * 200 * 3)
    func isCurve(_ x: Int, _ y: Int) -> Bool {
        let index = (y * 320 + x) * 3
        return pixels[index] == 0 && pixels[index + 1] == 90 && pixels[index + 2] == 200
    }
    let curveColumns = (0..<320).filter { x in (0..<200).contains { isCurve(x, $0) } }
    #expect(curveColumns.count > 200, "the curve spans most of the plotting area")
    let firstRow = (0..<200).first { isCurve(curveColumns.first!, $0) }!
    let lastRow = (0..<200).first { isCurve(curveColumns.last!, $0) }!
    #expect(firstRow < 40 && lastRow > 140, "from the top left (row \(firstRow)) to the bottom right (row \(lastRow))")
}

@Test func runReportTableAndMarkdown() {
    var confusion = ConfusionMatrix(clusterCount: 2, classes: [.land, .water])
    confusion.add(predictions: [0, 0, 1, 1], labels: [1, 2, 2, 2])
    let metrics = SegmentationMetrics(ClassConfusion(confusion, mapping: .waterMask))
    let report = RunReport(command: "shoreline run scene.tif", scores: [MethodScore(method: "NDWI > 0", mapping: "fixed", metrics: metrics)],
                           lossPlot: "loss.png", trainingSummary: "trained", pictures: [("scene", "q.png", [("iic", "o.png")])],
                           notes: ["1 scene"])
    #expect(report.renderTable() == """
        method    mapping  water IoU  mean IoU  accuracy  precision  recall     F1
        NDWI > 0  fixed        0.667     0.583     0.750      1.000   0.667  0.800
        """)
    let markdown = report.renderMarkdown()
    #expect(markdown.contains("| NDWI > 0 | fixed | 0.667 | 0.583 | 0.750 | 1.000 | 0.667 | 0.800 |"))
    #expect(markdown.contains("![training loss per step](loss.png)"))
    #expect(markdown.contains("![scene water by iic](o.png)"))
}
