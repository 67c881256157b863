import Foundation

/// The scores of one method under one mapping, pooled over all scenes.
public struct MethodScore: Sendable {
    /// The method, such as `iic`, `NDWI > 0` or `k-means (k = 3)`.
    public var method: String
    /// How its output became classes: `hungarian`, `label-free` or `fixed`.
    public var mapping: String
    public var metrics: SegmentationMetrics

    public init(method: String, mapping: String, metrics: SegmentationMetrics) {
        self.method = method
        self.mapping = mapping
        self.metrics = metrics
    }
}

/// The summary of `shoreline run`: a metrics table for stdout and the
/// `report.md` with the loss curve and pictures.
public struct RunReport: Sendable {
    /// The command that made the run, shown at the top of the report.
    public var command: String
    public var scores: [MethodScore]
    /// The loss plot, relative to the report's folder, or nil.
    public var lossPlot: String?
    /// The final loss and the steps trained, for the report's text.
    public var trainingSummary: String
    /// Per scene: its name and picture paths relative to the report's folder.
    public var pictures: [(scene: String, quicklook: String, overlays: [(method: String, path: String)])]
    /// Lines of plain facts, such as the scenes and the time taken.
    public var notes: [String]

    public init(command: String, scores: [MethodScore], lossPlot: String?, trainingSummary: String,
                pictures: [(scene: String, quicklook: String, overlays: [(method: String, path: String)])], notes: [String]) {
        self.command = command
        self.scores = scores
        self.lossPlot = lossPlot
        self.trainingSummary = trainingSummary
        self.pictures = pictures
        self.notes = notes
    }

    /// Renders the scores as a plain-text table, one row per score in the
    /// order given. Undefined scores print as `-`.
    public func renderTable() -> String {
        let header = ["method", "mapping", "water IoU", "mean IoU", "accuracy", "precision", "recall", "F1"]
        let rows = scores.map { score in
            [score.method, score.mapping, Self.format(score.metrics.water?.iou), Self.format(score.metrics.meanIoU),
             Self.format(score.metrics.pixelAccuracy), Self.format(score.metrics.water?.precision),
             Self.format(score.metrics.water?.recall), Self.format(score.metrics.water?.f1)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        return ([header] + rows).map { cells in
            cells.enumerated().map { column, cell in
                column < 2 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                           : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// Renders `report.md`.
    public func renderMarkdown() -> String {
        var text = "# Shoreline run\n\n```\n\(command)\n```\n\n"
        text += notes.map { "- \($0)\n" }.joined() + "\n"
        if scores.isEmpty {
            text += "No labels were given, so no scores: the pictures below are the only check.\n\n"
        } else {
            text += "## Scores (all scenes pooled)\n\n"
            text += "Water IoU, precision, recall and F1 are of the water class; invalid pixels are never counted. "
            text += "Hungarian maps clusters one-to-one to the labelled classes (it uses the labels); label-free names "
            text += "each cluster from the scene's own spectra; index baselines are water masks as they are.\n\n"
            text += "| method | mapping | water IoU | mean IoU | accuracy | precision | recall | F1 |\n"
            text += "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
            for score in scores {
                let metrics = score.metrics
                let cells = [Self.format(metrics.water?.iou), Self.format(metrics.meanIoU), Self.format(metrics.pixelAccuracy),
                             Self.format(metrics.water?.precision), Self.format(metrics.water?.recall), Self.format(metrics.water?.f1)]
                text += "| \(score.method) | \(score.mapping) | \(cells.joined(separator: " | ")) |\n"
            }
            text += "\n"
        }
        text += "## Training\n\n\(trainingSummary)\n\n"
        if let lossPlot { text += "![training loss per step](\(lossPlot))\n\n" }
        if !pictures.isEmpty {
            text += "## Pictures\n\nWater is painted blue over the scene's quicklook.\n\n"
            for picture in pictures {
                text += "### \(picture.scene)\n\n![\(picture.scene) quicklook](\(picture.quicklook))\n"
                for overlay in picture.overlays {
                    text += "![\(picture.scene) water by \(overlay.method)](\(overlay.path))\n"
                }
                text += "\n" + picture.overlays.map(\.method).joined(separator: ", ") + " (left to right after the quicklook)\n\n"
            }
        }
        return text
    }

    static func format(_ value: Double?) -> String {
        value.map { String(format: "%.3f", $0) } ?? "-"
    }
}
