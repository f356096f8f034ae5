namespace RouterAdmin.TestSupport;

/// <summary>
/// The browser journeys need Debian's Chromium (Playwright's own browser download does not work offline). Tests ask for
/// it with <see cref="BrowserFactAttribute"/>.
/// </summary>
public static class BrowserRequirements
{
    public const string EnvironmentVariable = "ROUTERADMIN_BROWSER";
    public const string ChromiumPath = "/usr/bin/chromium";

    public static RequirementDecision Current => RequirementDecision.Decide("The browser journeys",
        File.Exists(ChromiumPath) ? [] : [$"Chromium at {ChromiumPath} (Debian: apt-get install chromium)"],
        EnvironmentVariable, RequirementDecision.IsDemanded(EnvironmentVariable), "Install it to include them");
}
