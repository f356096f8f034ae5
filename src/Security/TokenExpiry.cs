using System.Globalization;

namespace RouterAdmin.Security;

/// <summary>How an expiry is written on the command line: "30d", "12h", or a UTC date or instant.</summary>
public static class TokenExpiry
{
    public static DateTimeOffset? Parse(string text, DateTimeOffset now)
    {
        var value = text.Trim();
        if (value.Length > 1 && int.TryParse(value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            if (value.EndsWith('d')) return now.AddDays(count);
            if (value.EndsWith('h')) return now.AddHours(count);
        }
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }
}
