import Testing
import Tiling
@testable import Evaluation

/// Returns the total cost of an assignment.
private func totalCost(_ cost: [[Double]], _ assignment: [Int?]) -> Double {
    assignment.enumerated().reduce(0) { total, pair in
        guard let column = pair.element else { return total }
        return total + cost[pair.offset][column]
    }
}

/// Returns the minimum total cost over every assignment of min(rows, columns)
/// distinct pairs, by enumerating them all.
private func bruteForceMinimumCost(_ cost: [[Double]]) -> Double {
    let rowCount = cost.count
    let columnCount = cost[0].count
    var best = Double.infinity
    func search(row: Int, used: [Bool], assigned: Int, total: Double) {
        if row == rowCount {
            if assigned == min(rowCount, columnCount) {
                best = min(best, total)
            }
            return
        }
        // Leave this row unassigned only when there are more rows than columns.
        if rowCount > columnCount {
            search(row: row + 1, used: used, assigned: assigned, total: total)
        }
        for column in 0..<columnCount where !used[column] {
            var nextUsed = used
            nextUsed[column] = true
            search(row: row + 1, used: nextUsed, assigned: assigned + 1, total: total + cost[row][column])
        }
    }
    search(row: 0, used: Array(repeating: false, count: columnCount), assigned: 0, total: 0)
    return best
}

/// Checks that an assignment is valid: distinct columns, in range, and
/// min(rows, columns) pairs.
private func expectValidAssignment(_ assignment: [Int?], rows: Int, columns: Int) {
    #expect(assignment.count == rows)
    let assigned = assignment.compactMap { $0 }
    #expect(assigned.count == min(rows, columns))
    #expect(Set(assigned).count == assigned.count)
    #expect(assigned.allSatisfy { (0..<columns).contains($0) })
}

@Test func hungarianThreeByThreeOptimum() {
    let cost: [[Double]] = [
        [4, 1, 3],
        [2, 0, 5],
        [3, 2, 2],
    ]
    let assignment = HungarianAssignment.minimumCostAssignment(cost: cost)
    #expect(assignment == [1, 0, 2])
    #expect(totalCost(cost, assignment) == 5)
}

@Test(arguments: [
    // 2 x 3: row 0 -> column 2, row 1 -> column 0 costs 1 + 2.
    ([[5, 9, 1], [2, 4, 7]] as [[Double]], [2, 0] as [Int?], 3.0),
    // 3 x 2: rows 0 and 2 are matched, row 1 is left over.
    ([[1, 8], [6, 7], [9, 2]] as [[Double]], [0, nil, 1] as [Int?], 3.0),
    ([[7]] as [[Double]], [0] as [Int?], 7.0),
    // 1 x 4 and 4 x 1: only the cheapest cell is used.
    ([[3, 1, 4, 1.5]] as [[Double]], [1] as [Int?], 1.0),
    ([[3], [1], [4], [0.5]] as [[Double]], [nil, nil, nil, 0] as [Int?], 0.5),
])
func hungarianRectangular(cost: [[Double]], expected: [Int?], expectedCost: Double) {
    let assignment = HungarianAssignment.minimumCostAssignment(cost: cost)
    #expect(assignment == expected)
    #expect(totalCost(cost, assignment) == expectedCost)
}

@Test func hungarianEmptyMatrix() {
    #expect(HungarianAssignment.minimumCostAssignment(cost: []) == [])
    #expect(HungarianAssignment.minimumCostAssignment(cost: [[], []]) == [nil, nil])
}

@Test(arguments: [(1, 1), (1, 5), (5, 1), (2, 3), (3, 2), (3, 3), (4, 4), (4, 6), (6, 4), (5, 5), (6, 6)])
func hungarianMatchesBruteForce(rows: Int, columns: Int) {
    var generator = SplitMix64(seed: UInt64(rows * 100 + columns))
    for _ in 0..<30 {
        // Small integer costs make many ties, the hard case for the potentials.
        let cost = (0..<rows).map { _ in (0..<columns).map { _ in Double(generator.next() % 10) } }
        let assignment = HungarianAssignment.minimumCostAssignment(cost: cost)
        expectValidAssignment(assignment, rows: rows, columns: columns)
        #expect(totalCost(cost, assignment) == bruteForceMinimumCost(cost), "cost matrix \(cost)")
    }
}

@Test func hungarianMaximumWeight() {
    let weights: [[Double]] = [
        [10, 1],
        [9, 8],
    ]
    // Greedy would take 10 and then 8 is forced anyway; the optimum 10 + 8.
    #expect(HungarianAssignment.maximumWeightAssignment(weights: weights) == [0, 1])
    // Here the greedy choice 10 + 0 loses to 9 + 9.
    #expect(HungarianAssignment.maximumWeightAssignment(weights: [[10, 9], [9, 0]]) == [1, 0])
}

/// Returns a 24-cluster x (land, water) matrix where a greedy choice goes
/// wrong. The largest cell is cluster 12's water (1000), and taking it leaves
/// cluster 3's land (900) for a total of 1900. The optimum maps cluster 7 to
/// water (990) and cluster 12 to land (950), a total of 1940.
private func twentyFourClusterMatrix() -> ConfusionMatrix {
    var counts = [Int64](repeating: 0, count: 24 * 2)
    for cluster in 0..<24 {
        counts[cluster * 2] = Int64(20 + cluster)
        counts[cluster * 2 + 1] = Int64(30 - cluster)
    }
    counts[12 * 2] = 950
    counts[12 * 2 + 1] = 1000
    counts[7 * 2] = 10
    counts[7 * 2 + 1] = 990
    counts[3 * 2] = 900
    counts[3 * 2 + 1] = 10
    return ConfusionMatrix(clusterCount: 24, classes: [.land, .water], counts: counts)
}

@Test func hungarianTwentyFourClustersTwoClasses() {
    let matrix = twentyFourClusterMatrix()
    let mapping = ClusterMapping.hungarian(matrix)
    var expected = [SurfaceClass?](repeating: nil, count: 24)
    expected[7] = .water
    expected[12] = .land
    #expect(mapping.classes == expected)
    #expect(mapping.method == .hungarian)
}

@Test func hungarianUnmatchedClustersTakeMajority() {
    let matrix = twentyFourClusterMatrix()
    let mapping = ClusterMapping.hungarian(matrix, unmatchedClusters: .majorityClass)
    #expect(mapping.classes[7] == .water)
    #expect(mapping.classes[12] == .land)
    // Cluster 3, left over, has more land (900) than water (10).
    #expect(mapping.classes[3] == .land)
    // The other clusters below 5 lean to water (30 - c > 20 + c), 6 and up to land.
    #expect(mapping.classes[0] == .water)
    #expect(mapping.classes[23] == .land)
    #expect(mapping.classes.allSatisfy { $0 != nil })
}

@Test func hungarianFewerClustersThanClasses() {
    // Two clusters against land, water and cloud: cloud is never predicted.
    let matrix = ConfusionMatrix(clusterCount: 2, counts: [
        5, 40, 3,
        60, 2, 50,
    ])
    #expect(ClusterMapping.hungarian(matrix).classes == [.water, .land])
}

@Test func majorityMappingAllowsSharedClasses() {
    let matrix = ConfusionMatrix(clusterCount: 4, counts: [
        5, 40, 3,
        60, 2, 50,
        7, 9, 1,
        0, 0, 0,
    ])
    let mapping = ClusterMapping.majority(matrix)
    #expect(mapping.classes == [.water, .land, .water, nil])
    #expect(mapping.method == .majority)
}

@Test func majorityTieGoesToFirstClass() {
    let matrix = ConfusionMatrix(clusterCount: 1, counts: [4, 4, 1])
    #expect(ClusterMapping.majority(matrix).classes == [.land])
}

@Test(arguments: [(150, 150), (255, 3), (3, 255), (120, 200)])
func hungarianFindsHiddenZeroAssignment(rows: Int, columns: Int) {
    // Costs 1 to 100 everywhere except along a hidden one-to-one assignment
    // of zeros, which is then the unique optimum.
    var generator = SplitMix64(seed: UInt64(rows * 1000 + columns))
    var cost = (0..<rows).map { _ in (0..<columns).map { _ in Double(1 + generator.next() % 100) } }
    var hidden = [Int?](repeating: nil, count: rows)
    var freeColumns = Array(0..<columns)
    var freeRows = Array(0..<rows)
    for _ in 0..<min(rows, columns) {
        let row = freeRows.remove(at: Int(generator.next() % UInt64(freeRows.count)))
        let column = freeColumns.remove(at: Int(generator.next() % UInt64(freeColumns.count)))
        cost[row][column] = 0
        hidden[row] = column
    }
    let assignment = HungarianAssignment.minimumCostAssignment(cost: cost)
    expectValidAssignment(assignment, rows: rows, columns: columns)
    #expect(totalCost(cost, assignment) == 0)
    #expect(assignment == hidden)
}
