/// The version `sottod --version`, `sotto --version` and `/v1/status` report.
public enum SottoVersion {
    public static let string = "0.1.0"
}
