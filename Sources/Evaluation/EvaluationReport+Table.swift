extension EvaluationReport {
    /// Renders the report as a plain-text table for stdout: one row per scene,
    /// then the pooled row, then the mapping.
    ///
    /// Scores have three decimals; an undefined score prints as `-`. Example:
    ///
    /// ```
    /// scene        pixels  accuracy  mean IoU  water IoU  precision  recall     F1
    /// Spain_73705  262144     0.953     0.901      0.874      0.911   0.955  0.932
    /// pooled       262144     0.953     0.901      0.874      0.911   0.955  0.932
    /// mapping (hungarian): 0 -> water, 1 -> land, 2 -> unmapped
    /// ```
    public func renderTable() -> String {
        let header = ["scene", "pixels", "accuracy", "mean IoU", "water IoU", "precision", "recall", "F1"]
        var rows = perScene.map { Self.tableRow(name: $0.scene, metrics: $0.metrics) }
        rows.append(Self.tableRow(name: "pooled", metrics: pooled))

        // The scene column is left-aligned, numbers right-aligned.
        let allRows = [header] + rows
        let widths = header.indices.map { column in allRows.map { $0[column].count }.max() ?? 0 }
        var lines = allRows.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }

        if let mapping {
            lines.append(Self.describe(mapping))
        } else {
            lines += perScene.map { "\($0.scene): \(Self.describe($0.mapping))" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func tableRow(name: String, metrics: SegmentationMetrics) -> [String] {
        let water = metrics.water
        return [
            name,
            String(metrics.pixelCount),
            format(metrics.pixelAccuracy),
            format(metrics.meanIoU),
            format(water?.iou),
            format(water?.precision),
            format(water?.recall),
            format(water?.f1),
        ]
    }

    private static func describe(_ mapping: ClusterMapping) -> String {
        let pairs = mapping.classes.enumerated().map { cluster, surfaceClass in
            "\(cluster) -> \(surfaceClass?.description ?? "unmapped")"
        }
        return "mapping (\(mapping.method.rawValue)): " + pairs.joined(separator: ", ")
    }

    /// Formats a score with three decimals, or `-` when undefined.
    private static func format(_ value: Double?) -> String {
        guard let value else { return "-" }
        let thousandths = Int((value * 1000).rounded())
        let whole = thousandths / 1000
        let fraction = String(thousandths % 1000)
        return "\(whole)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
