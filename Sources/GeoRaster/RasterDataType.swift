import CGDAL

/// The pixel types Shoreline reads and writes, named as GDAL names them.
public enum RasterDataType: String, Sendable, CaseIterable, Codable {
    case byte = "Byte"
    case uInt16 = "UInt16"
    case int16 = "Int16"
    case uInt32 = "UInt32"
    case int32 = "Int32"
    case float32 = "Float32"
    case float64 = "Float64"

    /// The GDAL type (`GDT_Byte` …).
    var gdalType: GDALDataType {
        switch self {
        case .byte: GDT_Byte
        case .uInt16: GDT_UInt16
        case .int16: GDT_Int16
        case .uInt32: GDT_UInt32
        case .int32: GDT_Int32
        case .float32: GDT_Float32
        case .float64: GDT_Float64
        }
    }

    /// Returns the type for a GDAL type, or nil for types Shoreline does not
    /// handle (complex and 64-bit integer types).
    init?(gdalType: GDALDataType) {
        guard let match = RasterDataType.allCases.first(where: { $0.gdalType == gdalType }) else { return nil }
        self = match
    }

    /// The size of one sample in bytes.
    public var byteCount: Int {
        switch self {
        case .byte: 1
        case .uInt16, .int16: 2
        case .uInt32, .int32, .float32: 4
        case .float64: 8
        }
    }

    public var isInteger: Bool { self != .float32 && self != .float64 }
}

/// A Swift sample type that GDAL can read into and write from.
public protocol RasterSample: Numeric, Sendable {
    /// The GDAL type with the same memory layout.
    static var rasterDataType: RasterDataType { get }
    /// Converts a GDAL nodata value (always a `Double` in GDAL's API); returns
    /// nil when the value is not representable in this type.
    init?(nodata: Double)
    /// The value as a `Double`, for statistics.
    var doubleValue: Double { get }
    /// Whether the value is NaN, which floating-point rasters often use as
    /// nodata and which never compares equal to itself.
    var isNaNSample: Bool { get }
    /// Whether the value is neither NaN nor infinite; always true for
    /// integers.
    var isFiniteSample: Bool { get }
}

extension RasterSample where Self: FixedWidthInteger {
    public var isNaNSample: Bool { false }
    public var isFiniteSample: Bool { true }
}

extension UInt8: RasterSample {
    public static var rasterDataType: RasterDataType { .byte }
    public init?(nodata: Double) { self.init(exactly: nodata) }
    public var doubleValue: Double { Double(self) }
}

extension UInt16: RasterSample {
    public static var rasterDataType: RasterDataType { .uInt16 }
    public init?(nodata: Double) { self.init(exactly: nodata) }
    public var doubleValue: Double { Double(self) }
}

extension Int16: RasterSample {
    public static var rasterDataType: RasterDataType { .int16 }
    public init?(nodata: Double) { self.init(exactly: nodata) }
    public var doubleValue: Double { Double(self) }
}

extension Int32: RasterSample {
    public static var rasterDataType: RasterDataType { .int32 }
    public init?(nodata: Double) { self.init(exactly: nodata) }
    public var doubleValue: Double { Double(self) }
}

extension Float: RasterSample {
    public static var rasterDataType: RasterDataType { .float32 }
    public var isNaNSample: Bool { isNaN }
    public var isFiniteSample: Bool { isFinite }
    public init?(nodata: Double) { self.init(nodata) }
    public var doubleValue: Double { Double(self) }
}

extension UInt32: RasterSample {
    public static var rasterDataType: RasterDataType { .uInt32 }
    public init?(nodata: Double) { self.init(exactly: nodata) }
    public var doubleValue: Double { Double(self) }
}

extension Double: RasterSample {
    public static var rasterDataType: RasterDataType { .float64 }
    public var isNaNSample: Bool { isNaN }
    public var isFiniteSample: Bool { isFinite }
    public init?(nodata: Double) { self = nodata }
    public var doubleValue: Double { self }
}
