namespace RouterAdmin.Api.Metrics;

/// <summary>RouterAdmin:Metrics: who may read /metrics besides a signed-in viewer or administrator.</summary>
public sealed class MetricsOptions
{
    public const string Section = "RouterAdmin:Metrics";

    /// <summary>
    /// A secret a Prometheus server sends as <c>Authorization: Bearer …</c> (its <c>authorization</c> setting); empty: none.
    /// It only reads /metrics, nothing else.
    /// </summary>
    public string? ScrapeToken { get; set; }

    /// <summary>How old the router's status may be before a scrape reads the router again.</summary>
    public TimeSpan MaxStatusAge { get; set; } = TimeSpan.FromSeconds(10);

    public const int MinTokenLength = 24;

    public static IEnumerable<string> Problems(MetricsOptions options)
    {
        if (!string.IsNullOrEmpty(options.ScrapeToken) && options.ScrapeToken.Trim().Length < MinTokenLength)
            yield return $"{Section}:ScrapeToken must have at least {MinTokenLength} characters (e.g. openssl rand -hex 24), or be empty for none.";
        if (options.MaxStatusAge < TimeSpan.Zero)
            yield return $"{Section}:MaxStatusAge must be zero or longer (was {options.MaxStatusAge}).";
    }
}
