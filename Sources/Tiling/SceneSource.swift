import Foundation
import GeoRaster

/// The files of a scene: one raster file, or one file per band.
public enum SceneSource: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case bandStack(BandStack)

    /// The scene name used in tile file names and the manifest: the file
    /// name without its extension, or the band files' common prefix.
    public var name: String {
        switch self {
        case .file(let path): ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        case .bandStack(let stack): stack.name
        }
    }

    /// Opens the scene. Each call returns a new handle, so each thread can
    /// open its own.
    /// - Parameter bandNames: the declared band names, or nil.
    public func open(bandNames: [String]? = nil) throws -> Dataset {
        switch self {
        case .file(let path): try Dataset(path: path, bandNames: bandNames)
        case .bandStack(let stack): try stack.open()
        }
    }

    /// The path shown to users: the file, or the folder of the band files.
    public var description: String {
        switch self {
        case .file(let path): path
        case .bandStack(let stack): (stack.files[0].path as NSString).deletingLastPathComponent
        }
    }
}

/// A scene and its label file, if it has one.
public struct ScenePair: Sendable, Equatable {
    public let scene: SceneSource
    public let label: String?

    public init(scene: SceneSource, label: String?) {
        self.scene = scene
        self.label = label
    }
}

/// A rule that derives a label's file name from its scene's: the first
/// occurrence of `sceneText` in the scene's name becomes `labelText`.
public struct PairingRule: Sendable, Equatable {
    public let sceneText: String
    public let labelText: String

    public init(sceneText: String, labelText: String) {
        self.sceneText = sceneText
        self.labelText = labelText
    }

    /// Parses `SCENE_TEXT=LABEL_TEXT`, such as `_S2Hand=_LabelHand`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else { return nil }
        self.init(sceneText: parts[0], labelText: parts[1])
    }

    /// Sen1Floods11 (`<id>_S2Hand` with `<id>_LabelHand`), OMBRIA
    /// (`S2_after_<n>` with `S2_mask_<n>`) and same-name pairs (WorldFloods
    /// `S2/<scene>` with `gt/<scene>`), tried in this order after the user's.
    public static let builtIn = [
        PairingRule(sceneText: "_S2Hand", labelText: "_LabelHand"),
        PairingRule(sceneText: "S2_after_", labelText: "S2_mask_"),
        PairingRule(sceneText: "", labelText: ""),
    ]

    /// Returns the label name for a scene name, or nil when the rule does not apply.
    func labelName(forScene name: String) -> String? {
        if sceneText.isEmpty { return name }
        guard let range = name.range(of: sceneText) else { return nil }
        return name.replacingCharacters(in: range, with: labelText)
    }

    /// Returns whether a file name looks like a label under this rule, so a
    /// folder that contains both scenes and labels (as Sen1Floods11 ships) splits them.
    func looksLikeLabel(_ name: String) -> Bool {
        !labelText.isEmpty && name.contains(labelText)
    }
}

/// The scenes and labels found in the inputs of a tiling job.
public struct ScenePairing: Sendable {
    public var pairs: [ScenePair]
    /// Scenes with no label, when labels were given or found.
    public var unlabelledScenes: [String]
    /// Label files that no scene claimed.
    public var unmatchedLabels: [String]

    static let rasterExtensions: Set<String> = ["tif", "tiff", "png", "vrt", "jp2"]

    /// Finds the scenes in the inputs and pairs each with its label.
    ///
    /// An input is a raster file, a folder of one file per band (one
    /// stacked scene), a WorldFloods split (`S2/` with `gt/`), an OMBRIA
    /// folder (`AFTER/` with `MASK/`), or a folder of scenes. Labels come
    /// from `labels` (a folder, or a file when one scene is given), from the
    /// `gt/` or `MASK/` beside the scenes, or from label-named files in the
    /// scenes' folder. Explicit `pairs` come first.
    /// - Throws: `TilingError` for missing inputs.
    public static func discover(inputs: [String], labels: String?, rules userRules: [PairingRule] = [],
                                explicitPairs: [(scene: String, label: String)] = []) throws -> ScenePairing {
        let fileManager = FileManager.default
        let rules = userRules + PairingRule.builtIn
        var scenes: [SceneSource] = []
        var labelFolders: [String] = []
        var labelFiles: [String] = []

        // Collect the scenes, and label folders found beside them.
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw TilingError.inputNotFound(input)
            }
            guard isDirectory.boolValue else {
                scenes.append(.file(input))
                continue
            }
            let folder = input as NSString
            if isFolder(folder.appendingPathComponent("S2")) {
                scenes += rasterFiles(in: folder.appendingPathComponent("S2")).map(SceneSource.file)
                if isFolder(folder.appendingPathComponent("gt")) { labelFolders.append(folder.appendingPathComponent("gt")) }
            } else if isFolder(folder.appendingPathComponent("AFTER")) {
                scenes += rasterFiles(in: folder.appendingPathComponent("AFTER")).map(SceneSource.file)
                if isFolder(folder.appendingPathComponent("MASK")) { labelFolders.append(folder.appendingPathComponent("MASK")) }
            } else if let stack = try BandStack(folder: input) {
                scenes.append(.bandStack(stack))
            } else {
                for file in rasterFiles(in: input) {
                    let name = (file as NSString).lastPathComponent
                    if rules.contains(where: { $0.looksLikeLabel(name) }) {
                        labelFiles.append(file)
                    } else {
                        scenes.append(.file(file))
                    }
                }
            }
        }

        // Collect the label candidates.
        var explicitLabel: String?
        if let labels {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: labels, isDirectory: &isDirectory) else {
                throw TilingError.labelsNotFound(labels)
            }
            if isDirectory.boolValue {
                labelFolders = [labels]
                labelFiles = []
            } else {
                guard scenes.count == 1, explicitPairs.isEmpty else {
                    throw TilingError.labelFileWithManyScenes(label: labels, sceneCount: scenes.count + explicitPairs.count)
                }
                explicitLabel = labels
            }
        }
        for folder in labelFolders { labelFiles += rasterFiles(in: folder) }
        var unclaimed = Dictionary(labelFiles.map { (stem($0), $0) }, uniquingKeysWith: { first, _ in first })

        // Pair each scene by the first rule that finds a label.
        var pairing = ScenePairing(pairs: [], unlabelledScenes: [], unmatchedLabels: [])
        for pair in explicitPairs {
            guard fileManager.fileExists(atPath: pair.scene) else { throw TilingError.inputNotFound(pair.scene) }
            guard fileManager.fileExists(atPath: pair.label) else { throw TilingError.inputNotFound(pair.label) }
            pairing.pairs.append(ScenePair(scene: .file(pair.scene), label: pair.label))
        }
        let anyLabels = explicitLabel != nil || !labelFiles.isEmpty
        for scene in scenes {
            if let explicitLabel {
                pairing.pairs.append(ScenePair(scene: scene, label: explicitLabel))
                continue
            }
            let label = rules.lazy.compactMap { $0.labelName(forScene: scene.name) }.first { unclaimed[$0] != nil }
            if let label, let path = unclaimed.removeValue(forKey: label) {
                pairing.pairs.append(ScenePair(scene: scene, label: path))
            } else {
                pairing.pairs.append(ScenePair(scene: scene, label: nil))
                if anyLabels { pairing.unlabelledScenes.append(scene.description) }
            }
        }
        pairing.unmatchedLabels = unclaimed.values.sorted()
        pairing.pairs.sort { $0.scene.name < $1.scene.name }
        return pairing
    }

    private static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func rasterFiles(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { !$0.hasPrefix(".") && rasterExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted()
            .map { (folder as NSString).appendingPathComponent($0) }
    }

    private static func stem(_ path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }
}
