package query

// StopFailedText is stopFailed, for the external tests.
const StopFailedText = stopFailed

// PlainName is plainName, for the external tests.
var PlainName = plainName
