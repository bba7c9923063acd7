/// One metadata value, with the type it has in the file.
///
/// Arrays hold their elements in file order; an array's elements all have the same type.
/// (Not `indirect`: the array payload is already a reference, and boxing every one of the
/// 150,000 token strings of a vocabulary would cost an allocation each.)
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case uint64(UInt64)
    case int64(Int64)
    case float32(Float)
    case float64(Double)
    case bool(Bool)
    case string(String)
    case array([GGUFValue])

    /// The value as an `Int` when it is an integer of any width that fits.
    public var integerValue: Int? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): Int(exactly: v)
        case .int64(let v): Int(v)
        default: nil
        }
    }

    /// The value as a `Double` when it is a float or an integer.
    public var floatValue: Double? {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        case .uint64(let v): Double(v)
        default: integerValue.map(Double.init)
        }
    }

    /// The value as a `String` when it is one.
    public var stringValue: String? {
        if case .string(let s) = self { s } else { nil }
    }
}
