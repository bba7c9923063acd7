/// Spreadsheet dates and times, written as ISO 8601 the way a person reads them in the sheet.
///
/// An Excel workbook stores a date as a serial number of days (45747 is 31 March 2025, 0.5 is noon);
/// only the cell style's number format says it is a date. Without this a sheet of payments reads
/// "Due: 45747", which neither a person nor a search for "2025-03-31" or "March 2025" can use.
/// Formats are classified by what they show (built-in ids 14–22, 45–47 and the East Asian 27–36,
/// 50–58; custom codes by their y, m, d, h, s tokens), then written as `2025-03-31`, `2025-03`,
/// `13:30`, `2025-03-31 13:30:05` or, for elapsed time (`[h]:mm:ss`), `36:05:00`. Pure arithmetic:
/// no calendar or time-zone files, which the extraction sandbox could not open.
enum SpreadsheetDate {
    enum Display: Equatable {
        case date
        /// A year and month without a day (`mmm-yy`).
        case month
        case time(seconds: Bool)
        case dateTime(seconds: Bool)
        /// A duration in hours, minutes and seconds (`[h]:mm:ss`), which may exceed 24 hours.
        case elapsed
    }

    /// Where serial number 0 falls: Excel's default 1900 system (which counts 29 February 1900, a day
    /// that never was, as Lotus 1-2-3 did) or the 1904 system of old Mac workbooks (`date1904`).
    enum System {
        case excel1900
        case excel1904
    }

    /// What a built-in number format (`numFmtId` without a `numFmt` of its own) shows, if a date or time.
    static func display(ofBuiltInFormat id: Int) -> Display? {
        switch id {
        case 14, 15, 16: return .date
        case 17: return .month
        case 18, 20: return .time(seconds: false)
        case 19, 21, 45, 47: return .time(seconds: true)
        case 22: return .dateTime(seconds: false)
        case 46: return .elapsed
        // Reserved for East Asian locales (ECMA-376 Part 1, 18.8.30): era and CJK dates and times.
        case 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58: return .date
        case 32, 34, 55: return .time(seconds: false)
        case 33, 35, 56: return .time(seconds: true)
        default: return nil
        }
    }

    /// What a format code such as `dd.mm.yyyy`, `[$-409]h:mm AM/PM;@` or `"Day "0` shows, if a date
    /// or time. Only the first section (positive numbers) counts; quoted text, escaped characters,
    /// fills, paddings, colours, conditions and locales are not tokens.
    static func display(ofFormatCode code: String) -> Display? {
        var year = false, month = false, day = false, hour = false, second = false, elapsed = false
        let characters = Array(code.lowercased())
        var index = 0
        scan: while index < characters.count {
            let character = characters[index]
            switch character {
            case ";":
                break scan
            case "\"":
                index += 1
                while index < characters.count, characters[index] != "\"" { index += 1 }
            case "\\", "_", "*":
                index += 1  // the next character is literal (or a fill or padding character)
            case "[":
                let start = index + 1
                while index < characters.count, characters[index] != "]" { index += 1 }
                let inside = characters[min(start, index)..<index]
                // [h], [mm], [ss]: elapsed time; anything else in brackets is a colour, condition or locale.
                if let first = inside.first, "hms".contains(first), inside.allSatisfy({ $0 == first }) {
                    elapsed = true
                    if first == "h" { hour = true } else if first == "s" { second = true }
                }
            case "a" where characters[index...].starts(with: Array("am/pm")):
                index += 4
                hour = true
            case "a" where characters[index...].starts(with: Array("a/p")):
                index += 2
                hour = true
            case "g" where characters[index...].starts(with: Array("general")):
                index += 6
            case "y": year = true
            case "d": day = true
            case "h": hour = true
            case "s": second = true
            case "m": month = true  // month, or minutes next to h or s: either way a date or time
            default: break
            }
            index += 1
        }
        if elapsed { return .elapsed }
        let hasTime = hour || second
        let hasDate = year || day || (month && !hasTime)
        switch (hasDate, hasTime) {
        case (true, true): return .dateTime(seconds: second)
        case (true, false): return day || !month ? .date : .month
        case (false, true): return .time(seconds: second)
        case (false, false): return nil
        }
    }

    /// `serial` as `display` shows it; nil when it is no date the format can show (negative, past
    /// 9999-12-31, not finite), and the caller keeps the number.
    static func text(serial: Double, display: Display, system: System) -> String? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        let totalSeconds = Int((serial * 86_400).rounded())
        let dayNumber = totalSeconds / 86_400
        let secondOfDay = totalSeconds % 86_400
        let clock = (hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60)
        func time(_ seconds: Bool) -> String {
            two(clock.hour) + ":" + two(clock.minute) + (seconds ? ":" + two(clock.second) : "")
        }
        switch display {
        case .elapsed:
            return "\(totalSeconds / 3600):" + two(totalSeconds / 60 % 60) + ":" + two(totalSeconds % 60)
        case .time(let seconds):
            return time(seconds)
        case .date, .month, .dateTime:
            let (year, month, day) = civilDate(dayNumber: dayNumber, system: system)
            let date = four(year) + "-" + two(month)
            switch display {
            case .month: return date
            case .dateTime(let seconds): return date + "-" + two(day) + " " + time(seconds)
            default: return date + "-" + two(day)
            }
        }
    }

    /// An OpenDocument `office:date-value` (`2025-03-31` or `2025-03-31T13:30:00`, maybe with
    /// fractional seconds) as `2025-03-31` or `2025-03-31 13:30` (seconds when not zero).
    static func text(isoDate value: String) -> String? {
        let parts = value.split(separator: "T", maxSplits: 1)
        guard let datePart = parts.first, datePart.count == 10, datePart.split(separator: "-").count == 3,
            datePart.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") })
        else { return nil }
        guard parts.count == 2 else { return String(datePart) }
        let fields = parts[1].prefix { $0 != "Z" && $0 != "+" }.split(separator: ":")
        guard fields.count >= 2, let hour = Int(fields[0]), let minute = Int(fields[1]) else { return nil }
        let second = fields.count > 2 ? Int(Double(fields[2]) ?? 0) : 0
        if hour == 0, minute == 0, second == 0 { return String(datePart) }
        return String(datePart) + " " + two(hour) + ":" + two(minute) + (second != 0 ? ":" + two(second) : "")
    }

    /// An OpenDocument `office:time-value`, an ISO 8601 duration (`PT08H15M30S`), as `08:15:30`
    /// (`08:15` when the seconds are zero); hours past 24 are kept (`PT36H05M00S` → `36:05`).
    static func text(isoDuration value: String) -> String? {
        guard value.first == "P" else { return nil }  // a negative duration is kept as written
        var hours = 0.0, minutes = 0.0, seconds = 0.0, days = 0.0
        var number = ""
        var inTime = false
        for character in value.dropFirst() {
            switch character {
            case "T": inTime = true
            case "0"..."9", ".": number.append(character)
            case "D", "H", "M", "S":
                guard let amount = Double(number) else { return nil }
                number = ""
                switch character {
                case "D": days = amount
                case "H": hours = amount
                case "M": if inTime { minutes = amount } else { return nil }
                default: seconds = amount
                }
            default: return nil
            }
        }
        let total = Int(((days * 24 + hours) * 3600 + minutes * 60 + seconds).rounded())
        let clock = two(total / 3600) + ":" + two(total / 60 % 60)
        return total % 60 == 0 ? clock : clock + ":" + two(total % 60)
    }

    /// Year, month and day of a serial day number in `system`.
    static func civilDate(dayNumber: Int, system: System) -> (year: Int, month: Int, day: Int) {
        switch system {
        case .excel1904:
            return civil(daysSince1970: dayNumber - 24_107)  // 1904-01-01
        case .excel1900:
            if dayNumber == 60 { return (1900, 2, 29) }  // Lotus's leap day
            // Serials 1…59 count from 1899-12-31 (1 is 1900-01-01); from 61 on, the missing leap day
            // shifts the origin back one day, to 1899-12-30.
            return civil(daysSince1970: dayNumber + (dayNumber < 60 ? -25_568 : -25_569))
        }
    }

    /// Proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civil(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func two(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    private static func four(_ value: Int) -> String {
        String(repeating: "0", count: max(0, 4 - String(value).count)) + String(value)
    }
}
