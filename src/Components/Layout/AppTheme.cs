using MudBlazor;

namespace RouterAdmin.Components.Layout;

internal static class AppTheme
{
    // System fonts only: a router's admin page is often opened where there is no Internet to fetch web fonts from.
    public static MudTheme Theme { get; } = new()
    {
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"] },
        },
        // Every text colour reaches WCAG AA (4.5:1) on the surfaces it is used on, checked by axe in the browser tests:
        // MudBlazor's defaults (#00c853 success, #f44336 error, #ff9800 warning under white text, #2196f3 info as the text
        // of an info alert, 3.8:1) do not.
        PaletteLight = new PaletteLight
        {
            Primary = "#1565c0",
            AppbarBackground = "#0d47a1",
            Success = "#2e7d32",
            Error = "#c62828",
            Warning = "#a85b00",
            Info = "#0277bd",
        },
        // Light accents on dark surfaces, so filled buttons carry dark text rather than white on pale blue or amber.
        PaletteDark = new PaletteDark
        {
            Primary = "#64b5f6",
            PrimaryContrastText = "#0d1b2a",
            Success = "#5fd3a0",
            SuccessContrastText = "#0d1b2a",
            Error = "#ff8a95",
            ErrorContrastText = "#0d1b2a",
            Warning = "#ffb74d",
            WarningContrastText = "#1a1a1a",
            // An alert's text is the "darken" shade of its colour; on a dark surface it must be the lighter one.
            ErrorDarken = "#ffa4ad",
            InfoDarken = "#90caf9",
            TextSecondary = "#b0b0b8",
        },
    };
}
