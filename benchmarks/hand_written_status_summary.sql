-- status_summary the way an analyst would write it without the warehouse: one DuckDB
-- script straight over the landing files. It does the real work — read every list and
-- every tracking export, one row per child ID, the agency that listed it first, its
-- details and its latest status on each report date — and skips most of the rules the
-- warehouse applies (no record linkage of rows without an ID, no fuzzy place matching, no
-- quarantine beyond dropping rows without a usable ID, no file-level checks besides
-- file names). benchmarks/run.py compares its figures with the generator's truth.
--
-- benchmarks/run.py replaces these placeholders before running it:
--   {landing}       the landing folder (CSV and JSONL deliveries are read where they lie)
--   {converted}     UTF-8 CSV copies of the xlsx (EEF, MSDHS) and Windows-874 (OPS)
--                   deliveries, same names, .csv suffix: DuckDB reads neither without
--                   extensions that are downloaded on first use
--   {seeds}         dbt_project/seeds (grades, province names): the analyst's code lists
--   {report_dates}  a list of DATE literals

-- ---- small helpers ---------------------------------------------------------------------

-- IDs with dashes, spaces, apostrophes: keep letters and digits; 13 digits or a G-code.
create or replace macro norm_id(s) as upper(regexp_replace(coalesce(s, ''), '[^0-9A-Za-z]', '', 'g'));
create or replace macro is_usable_id(s) as regexp_full_match(s, '[0-9]{13}|G[0-9]{12}');

-- A year written in the Buddhist Era (or, by mistake, in the Common Era).
create or replace macro ce_year(y) as case when y > 2400 then y - 543 else y end;
create or replace macro ymd(y, m, d) as try_cast(
    cast(ce_year(try_cast(y as integer)) as varchar) || '-' || m || '-' || d as date);

-- File names carry the list date: yyyymmdd or yyyy-mm-dd, B.E. or C.E.
create or replace macro name_date(filename, pattern) as ymd(
    regexp_extract(filename, pattern, 1), regexp_extract(filename, pattern, 2),
    regexp_extract(filename, pattern, 3));

-- dd/mm/yyyy (DMC, B.E.).
create or replace macro slash_date(s) as ymd(split_part(s, '/', 3), split_part(s, '/', 2), split_part(s, '/', 1));

-- "12 พ.ค. 2553", possibly in Thai digits (OPS, MSDHS).
create or replace macro thai_text_date(s) as ymd(
    split_part(regexp_replace(trim(translate(s, '๐๑๒๓๔๕๖๗๘๙', '0123456789')), ' +', ' ', 'g'), ' ', 3),
    cast(list_position(['ม.ค.', 'ก.พ.', 'มี.ค.', 'เม.ย.', 'พ.ค.', 'มิ.ย.', 'ก.ค.', 'ส.ค.', 'ก.ย.', 'ต.ค.', 'พ.ย.', 'ธ.ค.'],
        split_part(regexp_replace(trim(s), ' +', ' ', 'g'), ' ', 2)) as varchar),
    split_part(regexp_replace(trim(translate(s, '๐๑๒๓๔๕๖๗๘๙', '0123456789')), ' +', ' ', 'g'), ' ', 1));

-- ISO dates (OVEC; MSDHS Excel date cells), with the same era repair.
create or replace macro iso_date(s) as ymd(split_part(trim(s), '-', 1), split_part(trim(s), '-', 2), split_part(trim(s), '-', 3));

create or replace macro grade_key(s) as nullif(replace(replace(trim(coalesce(s, '')), ' ', ''), '.', ''), '');
create or replace macro province_key(s) as
    nullif(regexp_replace(replace(trim(coalesce(s, '')), ' ', ''), '^(จังหวัด|จ\.)', ''), '');

-- ---- code lists --------------------------------------------------------------------------

create or replace temp table grades as
select grade_key(grade_text) as grade_key, nullif(education_stage, '') as education_stage
from read_csv('{seeds}/grades.csv', all_varchar = true);

create or replace temp table provinces as
select distinct province_key(province_th) as province_key, province_code
from read_csv('{seeds}/geography.csv', all_varchar = true)
union
select province_key(province_alias), province_code
from read_csv('{seeds}/province_aliases.csv', all_varchar = true);

create or replace temp table report_dates as
select unnest({report_dates}) as report_date;

-- ---- every list row, one shape -------------------------------------------------------------
-- Columns by position (header=false, skip=1): a header cell with stray spaces or an extra
-- column appended at the end then changes nothing.

create or replace temp table list_rows as
with
dmc as (
    select 'obec_dmc' as source_agency, 1 as agency_priority,
        name_date(filename, 'DMC_DROPOUT_([0-9]{4})([0-9]{2})([0-9]{2})\.csv$') as list_date,
        norm_id(c0) as child_id, c6 as grade, c9 as province, null as province_code,
        slash_date(c5) as birth_date, null::integer as age
    from read_csv('{landing}/obec_dmc/*.csv', header = false, skip = 1, all_varchar = true,
        union_by_name = true, filename = true, null_padding = true,
        names = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11', 'c12', 'c13'])
),
eef as (
    select 'eef', 2,
        name_date(filename, 'EEF_OOSC_([0-9]{4})-([0-9]{2})-([0-9]{2})\.csv$'),
        norm_id(c1), c5, c6, null, null::date, try_cast(trim(c4) as integer)
    from read_csv('{converted}/eef/*.csv', header = false, skip = 1, all_varchar = true,
        union_by_name = true, filename = true, null_padding = true,
        names = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9'])
),
ops as (
    select 'ops', 3,
        name_date(filename, 'OPS_([0-9]{4})([0-9]{2})([0-9]{2})\.csv$'),
        norm_id(c0), c5, c7, null, thai_text_date(c4), null
    from read_csv('{converted}/ops/*.csv', header = false, skip = 1, all_varchar = true, delim = '|',
        quote = '', union_by_name = true, filename = true, null_padding = true,
        names = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9'])
),
ovec as (
    select 'ovec', 4,
        name_date(filename, 'ovec_dropout_([0-9]{4})-([0-9]{2})-([0-9]{2})\.csv$'),
        -- PROGRAM ปวช./ปวส. and YEAR 1-3 make the grade ปวช.1
        norm_id(c0), coalesce(c6, '') || coalesce(c7, ''), null, lpad(trim(c10), 2, '0'), iso_date(c5), null
    from read_csv('{landing}/ovec/*.csv', header = false, skip = 1, all_varchar = true,
        union_by_name = true, filename = true, null_padding = true,
        names = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11', 'c12'])
),
msdhs as (
    select 'msdhs', 5,
        name_date(filename, 'MSDHS_disabled_([0-9]{4})-([0-9]{2})-([0-9]{2})\.csv$'),
        norm_id(c0), null, c4, null, coalesce(iso_date(c2), thai_text_date(c2)), null
    from read_csv('{converted}/msdhs/*.csv', header = false, skip = 1, all_varchar = true,
        union_by_name = true, filename = true, null_padding = true,
        names = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'])
),
unioned as (
    select * from dmc union all select * from eef union all select * from ops
    union all select * from ovec union all select * from msdhs
)
select
    u.source_agency,
    u.agency_priority,
    u.list_date,
    u.child_id,
    -- the grade's stage; no grade (or "never enrolled"): by age on the list date, under 16 compulsory
    coalesce(
        grades.education_stage,
        case when coalesce(u.age, date_sub('year', u.birth_date, u.list_date)) < 16
             then 'compulsory' else 'post_compulsory' end
    ) as education_stage,
    coalesce(u.province_code, provinces.province_code) as province_code
from unioned as u
left join grades on grades.grade_key = grade_key(u.grade)
left join provinces on provinces.province_key = province_key(u.province)
-- files whose name does not fit the contract carry no list date: left out
where u.list_date is not null and is_usable_id(u.child_id);

-- ---- one row per child: first listed, and by which agency ------------------------------------

create or replace temp table cohort as
select
    child_id,
    min(list_date) as first_listed_on,
    arg_min(source_agency, {'d': list_date, 'p': agency_priority}) as source_agency
from list_rows
group by child_id;

-- Details on a date: the latest list's row (same date: agency priority).
create or replace temp table details as
select child_id, list_date, arg_min(education_stage, agency_priority) as education_stage,
    arg_min(province_code, agency_priority) as province_code
from list_rows
group by child_id, list_date;

-- ---- tracking: each event once, the latest per child and day ---------------------------------

create or replace temp table events as
with delivered as (
    select distinct event_id, norm_id(citizen_id) as child_id,
        try_cast(recorded_at as timestamptz) as recorded_at, try_cast(status as integer) as status_code
    from read_json('{landing}/tracking/*.jsonl', format = 'newline_delimited', ignore_errors = true,
        columns = {'event_id': 'VARCHAR', 'citizen_id': 'VARCHAR', 'recorded_at': 'VARCHAR', 'status': 'VARCHAR'})
),
dated as (
    select delivered.*, cast(timezone('Asia/Bangkok', recorded_at) as date) as recorded_on
    from delivered
    inner join cohort using (child_id)
    where status_code between 1 and 5 and recorded_at is not null
        -- an event before the child was listed is not about this listing
        and cast(timezone('Asia/Bangkok', recorded_at) as date) >= cohort.first_listed_on
)
select child_id, recorded_on, arg_max(status_code, recorded_at) as status_code
from dated
group by child_id, recorded_on;

-- Status 5 (deceased) is final.
create or replace temp table deaths as
select child_id, min(recorded_on) as died_on from events where status_code = 5 group by child_id;

-- ---- the summary --------------------------------------------------------------------------

create or replace temp table status_summary as
with cohort_on_date as (
    select report_dates.report_date, cohort.child_id, cohort.source_agency
    from cohort
    inner join report_dates on cohort.first_listed_on <= report_dates.report_date
),
with_details as (
    select c.*, d.education_stage, d.province_code
    from cohort_on_date as c
    asof join details as d on d.child_id = c.child_id and d.list_date <= c.report_date
),
with_status as (
    select w.*,
        case when deaths.died_on <= w.report_date then 5 else coalesce(e.status_code, 4) end as status_code
    from with_details as w
    asof left join events as e on e.child_id = w.child_id and e.recorded_on <= w.report_date
    left join deaths on deaths.child_id = w.child_id
)
select report_date, status_code, education_stage, source_agency, province_code, count(*) as children
from with_status
group by all;
