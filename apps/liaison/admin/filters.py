"""The liaison lists' county and township filters (apps.core.admin_filters, safe at province scale).
A row's region is a township or one of its villages: the township filter matches both."""

from apps.core.admin_filters import CountyFilter, TownshipFilter


class RegionTownshipFilter(TownshipFilter):
    region_field = "region"


class FundingTownshipFilter(TownshipFilter):
    region_field = "office__region"


class FundingCountyFilter(CountyFilter):
    path_field = "office__region__path"
