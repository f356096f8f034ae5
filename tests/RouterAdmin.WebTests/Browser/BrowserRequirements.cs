using Xunit;

namespace RouterAdmin.WebTests.Browser;

/// <summary>
/// The browser journeys need Debian's Chromium (Playwright's own browser download does not work offline). Without it a
/// developer's run skips with the reason; with <c>ROUTERADMIN_BROWSER=require</c>, as CI sets, it fails.
/// </summary>
public static class BrowserRequirements
{
    public const string EnvironmentVariable = "ROUTERADMIN_BROWSER";
    public const string ChromiumPath = "/usr/bin/chromium";

    public static void Ensure()
    {
        if (File.Exists(ChromiumPath)) return;
        var reason = $"The browser journeys need Chromium at {ChromiumPath} (Debian: apt-get install chromium).";
        if (string.Equals(Environment.GetEnvironmentVariable(EnvironmentVariable), "require", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{reason} {EnvironmentVariable}=require is set, so this is a failure rather than a skip.");
        Assert.Skip(reason);
    }
}
