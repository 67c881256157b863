/// The Hungarian (Kuhn-Munkres) algorithm for the rectangular assignment
/// problem, in the shortest-augmenting-path form with row and column
/// potentials (Jonker and Volgenant, 1987), in O(r^2 c) time for an r x c
/// matrix with r <= c.
///
/// Each row is assigned at most one column and each column at most one row,
/// and `min(rows, columns)` pairs are made: with more rows than columns some
/// rows stay unassigned, and with more columns than rows some columns do.
public enum HungarianAssignment {
    /// Returns the column assigned to each row so that the total cost of the
    /// assigned cells is the minimum, or nil for a row left unassigned.
    ///
    /// - Parameter cost: a rectangular matrix, `cost[row][column]`, of finite
    ///   values. Ties between optimal assignments are broken by the algorithm's
    ///   scan order, which is deterministic.
    /// - Returns: one entry per row.
    public static func minimumCostAssignment(cost: [[Double]]) -> [Int?] {
        let rowCount = cost.count
        guard rowCount > 0, let columnCount = cost.first?.count, columnCount > 0 else {
            return Array(repeating: nil, count: rowCount)
        }
        for (row, values) in cost.enumerated() {
            precondition(values.count == columnCount, "row \(row) has \(values.count) columns but row 0 has \(columnCount)")
            precondition(values.allSatisfy(\.isFinite), "row \(row) has a non-finite cost: \(values)")
        }

        // The potentials form needs rows <= columns, so solve the transpose
        // when there are more rows and read the assignment back.
        if rowCount > columnCount {
            let transposed = (0..<columnCount).map { column in cost.map { $0[column] } }
            let rowByColumn = assignRowsToColumns(transposed)
            var columnByRow = [Int?](repeating: nil, count: rowCount)
            for (column, row) in rowByColumn.enumerated() {
                columnByRow[row] = column
            }
            return columnByRow
        }
        return assignRowsToColumns(cost).map { Optional($0) }
    }

    /// Returns the column assigned to each row so that the total weight of the
    /// assigned cells is the maximum, or nil for a row left unassigned.
    /// - Parameter weights: a rectangular matrix, `weights[row][column]`.
    public static func maximumWeightAssignment(weights: [[Double]]) -> [Int?] {
        minimumCostAssignment(cost: weights.map { $0.map { -$0 } })
    }

    /// Assigns every row a distinct column at minimum total cost.
    /// - Precondition: `cost` has at least one row and no more rows than columns.
    private static func assignRowsToColumns(_ cost: [[Double]]) -> [Int] {
        let rowCount = cost.count
        let columnCount = cost[0].count
        precondition(rowCount <= columnCount, "expected rows <= columns, got \(rowCount) x \(columnCount)")

        // Index 0 of the column arrays is a virtual column that contains the row
        // being inserted, so rows and columns are numbered from 1 below.
        var rowPotential = [Double](repeating: 0, count: rowCount + 1)
        var columnPotential = [Double](repeating: 0, count: columnCount + 1)
        var rowOfColumn = [Int](repeating: 0, count: columnCount + 1)
        var previousColumn = [Int](repeating: 0, count: columnCount + 1)

        for row in 1...rowCount {
            // Grow a tree of tight edges from the new row until it reaches a
            // free column, raising potentials by the smallest slack each step.
            rowOfColumn[0] = row
            var column = 0
            var minimumSlack = [Double](repeating: .infinity, count: columnCount + 1)
            var visited = [Bool](repeating: false, count: columnCount + 1)
            repeat {
                visited[column] = true
                let treeRow = rowOfColumn[column]
                var delta = Double.infinity
                var nextColumn = 0
                for candidate in 1...columnCount where !visited[candidate] {
                    let slack = cost[treeRow - 1][candidate - 1] - rowPotential[treeRow] - columnPotential[candidate]
                    if slack < minimumSlack[candidate] {
                        minimumSlack[candidate] = slack
                        previousColumn[candidate] = column
                    }
                    if minimumSlack[candidate] < delta {
                        delta = minimumSlack[candidate]
                        nextColumn = candidate
                    }
                }
                for candidate in 0...columnCount {
                    if visited[candidate] {
                        rowPotential[rowOfColumn[candidate]] += delta
                        columnPotential[candidate] -= delta
                    } else {
                        minimumSlack[candidate] -= delta
                    }
                }
                column = nextColumn
            } while rowOfColumn[column] != 0

            // Flip the augmenting path back to the virtual column.
            repeat {
                let previous = previousColumn[column]
                rowOfColumn[column] = rowOfColumn[previous]
                column = previous
            } while column != 0
        }

        var columnByRow = [Int](repeating: 0, count: rowCount)
        for column in 1...columnCount where rowOfColumn[column] != 0 {
            columnByRow[rowOfColumn[column] - 1] = column - 1
        }
        return columnByRow
    }
}
